// The Node side of the figures `size`, `rule_compilation` and `memory` (`cargo xtask bench` runs
// it). Two commands, each printing one JSON document on stdout (progress on stderr):
//
//   parse: the reference for rule compilation and engine size. Parses the lists with
//     @ghostery/adblocker (`FiltersEngine.parse(text, {loadCosmeticFilters: false})`, network
//     filters only, as the request-decision figure does) `--rounds` times, then serialises the
//     engine: parse times, serialised size (raw and gzip), written to `--save FILE` for `memory`.
//
//     node tests/bench/footprint.mjs parse --filters $CRUMBWALL_DATA/filters \
//       --lists easylist.txt,easyprivacy.txt,privacy.txt,fanboy-social.txt \
//       [--rounds 3] [--save target/bench/ghostery/engine.bin]
//
//   memory: run with `node --expose-gc`, in a fresh process. Crumbwall: the WASM instance's
//     linear memory (`memory.buffer.byteLength`, the `memory` export initSync returns) after
//     instantiation, after `new Crumbwall()`, after `loadBlocker(engine)` and after deciding the
//     requests once. Ghostery (the reference, same process, measured after Crumbwall is set up):
//     `process.memoryUsage()` before reading its serialised engine and after
//     `FiltersEngine.deserialize` (the engine keeps views into the bytes it was given, so the
//     bytes count: heapUsed + arrayBuffers), then after matching the same requests once, each
//     after forced GCs.
//
//     node --expose-gc tests/bench/footprint.mjs memory --pkg extension/pkg \
//       --engine extension/engine/blocker.bin --ghostery-engine target/bench/ghostery/engine.bin \
//       [--requests $CRUMBWALL_DATA/requests/requests-sample-10k.json]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { loadRequests, median, parseArgs, timeMs } from './lib.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CONFIG = { loadCosmeticFilters: false, loadNetworkFilters: true, debug: false };

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

async function ghostery() {
  let lib;
  try {
    lib = await import('@ghostery/adblocker');
  } catch (e) {
    throw new Error(`@ghostery/adblocker is not installed (run npm ci in the repository): ${e.message}`);
  }
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@ghostery', 'adblocker', 'package.json'), 'utf8')).version;
  return { lib, version };
}

async function parseCmd(args) {
  for (const need of ['filters', 'lists']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  const rounds = Number(args.rounds ?? 3);
  const lists = args.lists.split(',');
  const { lib, version } = await ghostery();
  const texts = lists.map((f) => readFileSync(join(args.filters, f), 'utf8'));
  const text = texts.join('\n');
  // One untimed parse first (JIT warm-up), like every timed figure here.
  let engine = lib.FiltersEngine.parse(text, CONFIG);
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t = timeMs(() => lib.FiltersEngine.parse(text, CONFIG));
    times.push(t.ms);
    engine = t.result;
    log(`ghostery ${version}: parse round ${r + 1}: ${t.ms.toFixed(0)} ms`);
  }
  const serialized = engine.serialize();
  if (args.save) {
    mkdirSync(dirname(args.save), { recursive: true });
    writeFileSync(args.save, serialized);
  }
  const out = {
    label: `ghostery ${version} (node)`,
    version,
    config: CONFIG,
    lists,
    input_bytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
    network_filters: engine.getFilters().networkFilters.length,
    parse_what: 'FiltersEngine.parse(text of the lists joined, config): network filters only, after one untimed parse',
    parse_ms_rounds: times,
    parse_ms: median(times),
    engine_bytes: serialized.length,
    engine_gzip_bytes: gzipSync(serialized, { level: 9 }).length,
    saved: args.save ?? null,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

/**
 * Forces full collections (needs --expose-gc), letting the background sweeper free dead array
 * buffers between them, and returns `process.memoryUsage()`.
 */
async function settledUsage() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage();
}

async function memoryCmd(args) {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  for (const need of ['engine', 'ghostery-engine']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  const pkg = resolve(args.pkg ?? join(ROOT, 'extension', 'pkg'));
  const requests = args.requests ? loadRequests(args.requests) : [];

  // Crumbwall: WASM linear memory.
  const mod = await import(pathToFileURL(join(pkg, 'crumbwall_wasm.js')).href);
  const exports = mod.initSync({ module: readFileSync(join(pkg, 'crumbwall_wasm_bg.wasm')) });
  if (!(exports?.memory instanceof WebAssembly.Memory)) {
    throw new Error(`${pkg}/crumbwall_wasm.js: initSync did not return the wasm exports with a memory`);
  }
  const linear = () => exports.memory.buffer.byteLength;
  const wasm = { after_instantiate: linear() };
  const c = new mod.Crumbwall(undefined);
  wasm.after_new = linear();
  const engineBytes = readFileSync(args.engine);
  c.loadBlocker(engineBytes);
  wasm.after_load = linear();
  let blocked = 0;
  for (const q of requests) {
    const code = c.decide(q.url, q.frameUrl, q.type, q.frameUrl);
    if (code >= 16 && code < 32) blocked += 1;
  }
  wasm.after_requests = requests.length ? linear() : null;
  wasm.engine_bytes = engineBytes.length;
  wasm.blocked = requests.length ? blocked : null;
  log(`crumbwall wasm: linear memory ${wasm.after_instantiate} -> ${wasm.after_load} bytes after loadBlocker`);

  // Ghostery: the JS heap and array buffers its deserialised engine keeps.
  const { lib, version } = await ghostery();
  const { FiltersEngine, Request } = lib;
  // Warm the code paths first (module init, lazily created singletons), on a throwaway copy.
  FiltersEngine.deserialize(readFileSync(args['ghostery-engine']));
  const before = await settledUsage();
  let engine = FiltersEngine.deserialize(readFileSync(args['ghostery-engine']));
  const afterLoad = await settledUsage();
  let gBlocked = 0;
  for (const q of requests) {
    if (engine.match(Request.fromRawDetails({ url: q.url, sourceUrl: q.frameUrl, type: q.type })).match) gBlocked += 1;
  }
  const afterRequests = requests.length ? await settledUsage() : null;
  const ghosteryBytes = engine.serialize().length;
  engine = null;
  const delta = (a, b) => ({
    heap_used: b.heapUsed - a.heapUsed,
    array_buffers: b.arrayBuffers - a.arrayBuffers,
    total: b.heapUsed - a.heapUsed + (b.arrayBuffers - a.arrayBuffers),
  });
  const g = {
    label: `ghostery ${version} (node)`,
    version,
    engine_bytes: ghosteryBytes,
    after_load: delta(before, afterLoad),
    after_requests: afterRequests ? delta(before, afterRequests) : null,
    blocked: requests.length ? gBlocked : null,
  };
  log(`ghostery ${version}: +${g.after_load.heap_used} heapUsed, +${g.after_load.array_buffers} arrayBuffers after deserialize`);
  const out = {
    requests: requests.length,
    crumbwall_wasm: {
      label: 'crumbwall wasm (node)',
      what: 'WebAssembly linear memory: memory.buffer.byteLength (it only grows; includes allocator slack)',
      linear_memory_bytes: wasm,
    },
    ghostery: {
      ...g,
      what: 'process.memoryUsage() deltas from before reading the serialised engine, after forced GCs (node --expose-gc): heapUsed + arrayBuffers (the engine keeps views into its bytes)',
    },
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const args = parseArgs(rest);
  if (cmd === 'parse') return parseCmd(args);
  if (cmd === 'memory') return memoryCmd(args);
  throw new Error(`usage: footprint.mjs parse|memory [options] (got ${cmd})`);
}

main().catch((e) => {
  log(`error: ${e.stack ?? e}`);
  process.exit(1);
});
