// The fast way to ask the core about a request: the URL's UTF-8 bytes are written straight into
// the core's URL buffer (`Crumbwall.urlBufferPtr`) and `decideWritten` reads them there, so the
// URL, which changes with every request, never crosses the boundary as a string. Same results as
// `Crumbwall.decide`. No browser API here: the decision benchmark uses it as the extension does.

const encoder = new TextEncoder();

/**
 * A `(url, source, type, top, method) => code` function for core `c`, whose WebAssembly memory
 * is `memory` (the `memory` export that `init()` resolves to).
 * @param {import('../pkg/crumbwall_wasm.js').Crumbwall} c
 * @param {WebAssembly.Memory} memory
 */
export function urlDecider(c, memory) {
  let view = null;
  return (url, source, type, top, method) => {
    if (typeof url !== 'string') return c.decide(url, source, type, top, method);
    // A grown memory has a new buffer (the old one is detached): view it again.
    if (view === null || view.buffer !== memory.buffer) {
      view = new Uint8Array(memory.buffer, c.urlBufferPtr(), c.urlBufferLen());
    }
    const { read, written } = encoder.encodeInto(url, view);
    // Longer than the buffer: `decide` gives the answer for URLs too long to match (allowed).
    if (read !== url.length) return c.decide(url, source, type, top, method);
    return c.decideWritten(written, source, type, top);
  };
}
