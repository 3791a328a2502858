// Figure `startup`: how long the extension's background takes from its start to ready-to-decide
// (the background writes `startupMs` = performance.now() to storage.session when it is ready; see
// extension/background/main.js), over cold starts: each start is a fresh browser launch with a
// fresh profile and the unpacked build (target/unpacked/<browser>). Starts alternate between the
// browsers. Reference in the same run: Crumbwall.loadBlocker on the shipped engine in Node (how
// much of start-up is the engine). Prints one JSON document on stdout (progress on stderr).
// `cargo xtask bench` runs it; by hand (after `cargo xtask build`):
//
//   node tests/bench/startup.mjs [--starts 10] [--browsers chromium,firefox] [--engine-loads 5]
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
const enginePath = path.resolve(ROOT, args.engine ?? 'extension/engine/blocker.bin');
const pkg = path.resolve(ROOT, args.pkg ?? 'extension/pkg');
const GOAL_MS = 100;

const { launchChromium, launchFirefox, waitForExtensionReady } = await import('../e2e/lib/browsers.mjs');
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
  log('engine load reference in node');
  out.engine_load_node = await engineReference();
} finally {
  await web.close();
}
console.log(JSON.stringify(out, null, 2));
