// Firefox only (the manifest's `background.scripts` lists it before main.js; Chromium's service
// worker is main.js alone): the event page's first script. It has no imports, so Firefox runs it
// as soon as the page starts, while it is still fetching and parsing main.js and the modules it
// imports (about 300 KB of script). It starts what the start-up waits for, the same requests
// engine.js would make a little later:
// - fetching and compiling the WASM core (2 MB; compiled off the main thread);
// - reading the settings.
// engine.js takes these promises from `globalThis.crumbwallEarly` when they are there, and makes
// the requests itself otherwise (or if one failed: wasm-bindgen's loader then fetches the
// module with its own fallbacks).
(() => {
  const api = globalThis.browser;
  if (!api?.runtime?.getURL || typeof WebAssembly?.compileStreaming !== 'function') return;
  const url = api.runtime.getURL('extension/pkg/crumbwall_wasm_bg.wasm');
  const wasm = WebAssembly.compileStreaming(fetch(url));
  const settings = api.storage.local.get('settings');
  // Handled where they are used (engine.js then makes the request itself); a rejection here is
  // not an error of its own.
  wasm.catch(() => {});
  settings.catch(() => {});
  globalThis.crumbwallEarly = { wasm, settings };
})();
