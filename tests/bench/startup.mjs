// Figure `startup`: how long the extension's background takes from its start to ready-to-decide
// (the background writes `startupMs` = performance.now() to storage.session when it is ready; see
// extension/background/main.js), over cold starts: each start is a fresh browser launch with a
// fresh profile and the unpacked build (target/unpacked/<browser>). Starts alternate between the
// browsers. Then restarts: in one more browser per kind, the background is stopped and woken by a
// page load `--restarts` times (what happens all day: browsers stop idle backgrounds). Reference
// in the same run: Crumbwall.loadBlocker on the shipped engine in Node (how much of start-up is
// the engine). Prints one JSON document on stdout (progress on stderr).
// `cargo xtask bench` runs it; by hand (after `cargo xtask build`):
//
//   node tests/bench/startup.mjs [--starts 10] [--restarts 10] [--browsers chromium,firefox] [--engine-loads 5]
//     [--engine extension/engine/blocker.bin] [--pkg extension/pkg]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { median, parseArgs, timeMs } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (...a) => console.error('startup:', ...a);

const args = parseArgs(process.argv.slice(2));
const starts = Number(args.starts ?? 10);
const browsers = String(args.browsers ?? 'chromium,firefox').split(',').filter(Boolean);
const engineLoads = Number(args['engine-loads'] ?? 5);
const restartCount = Number(args.restarts ?? starts);
const enginePath = path.resolve(ROOT, args.engine ?? 'extension/engine/blocker.bin');
const pkg = path.resolve(ROOT, args.pkg ?? 'extension/pkg');
const GOAL_MS = 100;

const { launchChromium, launchFirefox, stopServiceWorkers, waitForExtensionReady } = await import('../e2e/lib/browsers.mjs');
const { startTestWeb } = await import('../web/server.mjs');

const UNPACKED = { chromium: 'chrome', firefox: 'firefox' };
const round1 = (x) => Math.round(x * 10) / 10;

/** One cold start: fresh profile, launch, wait for ready, read startupMs, close. */
async function coldStart(kind, web) {
  const extensionDir = path.join(ROOT, 'target', 'unpacked', UNPACKED[kind]);
  if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} is missing: run \`cargo xtask build\``);
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-bench-startup-${kind}-`));
  const launch = kind === 'firefox' ? launchFirefox : launchChromium;
  const t0 = Date.now();
  let h;
  try {
    h = await launch({ extensionDir, profileDir, port: web.port });
    await waitForExtensionReady(h, { key: 'ready', area: 'session', timeout: 20000 });
    const wallMs = Date.now() - t0;
    const { startupMs, ready } = await h.evalBackground(async () => (globalThis.browser ?? globalThis.chrome).storage.session.get(['startupMs', 'ready']));
    if (typeof startupMs !== 'number') throw new Error(`${kind}: storage.session.startupMs is ${JSON.stringify(startupMs)}`);
    if (typeof ready === 'number' && ready < h.launchedAt) throw new Error(`${kind}: ready is from before this launch`);
    return { startup_ms: startupMs, launch_to_ready_wall_ms: wallMs };
  } finally {
    if (h) await h.close().catch(() => {});
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Chromium: evaluates `expression` in the extension's service worker through a DevTools session
 * attached only for this call (the browser was launched with attachWorker: false, so no debugger
 * sits on the worker while it starts).
 */
async function evalWorker(h, expression) {
  const root = await h.browser.target().createCDPSession();
  try {
    const { targetInfos } = await root.send('Target.getTargets');
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`${h.extensionOrigin}/`));
    if (!sw) return undefined;
    const { sessionId } = await root.send('Target.attachToTarget', { targetId: sw.targetId, flatten: true });
    const session = root.connection().session(sessionId);
    try {
      const r = await session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      return r.result?.value;
    } finally {
      await root.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    }
  } finally {
    await root.detach().catch(() => {});
  }
}

/**
 * Restarts of a stopped background in one browser (fresh profile, first start not counted): the
 * background is stopped (Chromium: ServiceWorker.stopAllWorkers, as the browser does to an idle
 * worker after 30 s; Firefox: unloaded after a 1 s idle timeout, `extensions.background.idle.timeout`),
 * then a page load wakes it through its request listeners, as browsing does. Each sample is the
 * restarted background's own startupMs; a restart is checked to be one (a marker left in the old
 * background's memory is gone).
 */
async function restarts(kind, web, n) {
  const extensionDir = path.join(ROOT, 'target', 'unpacked', UNPACKED[kind]);
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-bench-restart-${kind}-`));
  const out = [];
  let h;
  try {
    if (kind === 'firefox') {
      h = await launchFirefox({ extensionDir, profileDir, port: web.port, prefs: { 'extensions.background.idle.timeout': 1000 } });
      await waitForExtensionReady(h, { key: 'ready', area: 'session', timeout: 20000 });
    } else {
      h = await launchChromium({ extensionDir, profileDir, port: web.port, attachWorker: false });
      const deadline = Date.now() + 20000;
      while (typeof (await evalWorker(h, 'chrome.storage.session.get("ready").then((r) => r.ready)')) !== 'number') {
        if (Date.now() > deadline) throw new Error('chromium: the extension did not get ready');
        await sleep(200);
      }
    }
    // Reads and writes the background's state: Chromium in the worker, Firefox from an extension
    // page (storage.session is shared; the marker lives in the event page's window).
    const state = kind === 'firefox'
      ? (mark) => h.evalBackground(async (m) => {
        const bg = await browser.runtime.getBackgroundPage();
        if (m) {
          await browser.storage.session.remove(['ready', 'startupMs']);
          bg.__beforeStop = true;
        }
        const { startupMs } = await browser.storage.session.get('startupMs');
        return { startupMs, marker: bg.__beforeStop ?? null };
      }, mark)
      : (mark) => evalWorker(h, `(async () => {
          if (${mark}) { await chrome.storage.session.remove(['ready', 'startupMs']); globalThis.__beforeStop = true; }
          const { startupMs } = await chrome.storage.session.get('startupMs');
          return { startupMs, marker: globalThis.__beforeStop ?? null };
        })()`);
    for (let i = 0; i < n; i++) {
      await state(true);
      if (kind === 'firefox') {
        await sleep(3000); // idle: the event page is unloaded after 1 s
      } else {
        await stopServiceWorkers(h.browser);
        await sleep(300);
      }
      const page = await h.newPage();
      await page.goto(h.url('site.test', '/plain'), { waitUntil: 'load', timeout: 20000 }).catch(() => {});
      let s;
      const deadline = Date.now() + 15000;
      for (;;) {
        await sleep(500);
        s = await state(false).catch(() => undefined);
        if (typeof s?.startupMs === 'number' || Date.now() > deadline) break;
      }
      await page.close().catch(() => {});
      if (typeof s?.startupMs !== 'number') throw new Error(`${kind}: no startupMs after restart ${i + 1}`);
      if (s.marker !== null) throw new Error(`${kind}: restart ${i + 1}: the background was not restarted (marker still set)`);
      out.push(s.startupMs);
      log(`${kind} restart ${i + 1}/${n}: ${s.startupMs} ms`);
    }
    return out;
  } finally {
    if (h) await h.close().catch(() => {});
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
}

function summary(values) {
  return { median_ms: round1(median(values)), min_ms: Math.min(...values), max_ms: Math.max(...values) };
}

async function engineReference() {
  const mod = await import(pathToFileURL(path.join(pkg, 'crumbwall_wasm.js')).href);
  const wasmBytes = fs.readFileSync(path.join(pkg, 'crumbwall_wasm_bg.wasm'));
  const engineBytes = fs.readFileSync(enginePath);
  const init = timeMs(() => mod.initSync({ module: wasmBytes }));
  const loads = [];
  for (let i = 0; i < engineLoads; i++) {
    const c = new mod.Crumbwall(undefined);
    loads.push(timeMs(() => c.loadBlocker(engineBytes)).ms);
    c.free?.();
  }
  return {
    what: 'Crumbwall.loadBlocker(bytes of the shipped engine) in Node, each on a new Crumbwall instance; instantiate = initSync of the WASM module (once)',
    engine: path.relative(ROOT, enginePath),
    engine_bytes: engineBytes.length,
    instantiate_ms: round1(init.ms),
    loads: engineLoads,
    samples_ms: loads.map((x) => Math.round(x * 100) / 100),
    // The first load in the process is the cold one (what a fresh background pays).
    first_load_ms: Math.round(loads[0] * 100) / 100,
    ...summary(loads.map((x) => Math.round(x * 100) / 100)),
  };
}

const web = await startTestWeb();
const out = { starts, goal_ms: GOAL_MS, browsers: {}, skipped: {} };
try {
  const samples = Object.fromEntries(browsers.map((b) => [b, []]));
  const live = new Set(browsers);
  for (let i = 0; i < starts; i++) {
    // Alternate which browser goes first, so drift in the machine's load hits both alike.
    const order = i % 2 ? [...browsers].reverse() : browsers;
    for (const kind of order) {
      if (!live.has(kind)) continue;
      try {
        const s = await coldStart(kind, web);
        samples[kind].push(s);
        log(`${kind} start ${i + 1}/${starts}: ${s.startup_ms} ms (launch to ready ${s.launch_to_ready_wall_ms} ms wall)`);
      } catch (e) {
        if (/not found \(looked at/.test(e.message)) {
          live.delete(kind);
          out.skipped[kind] = e.message;
          log(`${kind}: SKIPPED: ${e.message}`);
        } else throw e;
      }
    }
  }
  for (const kind of browsers) {
    const s = samples[kind];
    if (!s.length) continue;
    const ms = s.map((x) => x.startup_ms);
    const st = summary(ms);
    out.browsers[kind] = {
      what: kind === 'firefox'
        ? 'event page start (its performance.now() origin) to ready-to-decide, engine loaded (storage.session.startupMs)'
        : 'service worker start (its performance.now() origin) to ready-to-decide (storage.session.startupMs); static DNR rules block by themselves, the engine (for naming categories) loads after ready',
      extension_dir: `target/unpacked/${UNPACKED[kind]}`,
      starts: s.length,
      samples_ms: ms,
      ...st,
      launch_to_ready_wall: summary(s.map((x) => x.launch_to_ready_wall_ms)),
      goal_met: st.median_ms <= GOAL_MS,
    };
  }
  for (const kind of browsers) {
    if (!live.has(kind) || !out.browsers[kind]) continue;
    const ms = await restarts(kind, web, restartCount);
    out.browsers[kind].restart = {
      what: kind === 'firefox'
        ? 'the event page unloaded after 1 s idle (extensions.background.idle.timeout) and woken by a page load; its own startupMs'
        : 'the service worker stopped (ServiceWorker.stopAllWorkers, as after 30 s idle) and woken by a page load, with no debugger attached while it starts; its own startupMs',
      restarts: ms.length,
      samples_ms: ms,
      ...summary(ms),
      goal_met: median(ms) <= GOAL_MS,
    };
  }
  log('engine load reference in node');
  out.engine_load_node = await engineReference();
} finally {
  await web.close();
}
console.log(JSON.stringify(out, null, 2));
