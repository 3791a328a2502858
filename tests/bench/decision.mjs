// Figure 1, request decision time, for the two engines that run in Node:
//   - Crumbwall's WASM core (the Firefox path: `Crumbwall.decide` per webRequest event, through the URL buffer as the extension calls it), and
//   - @ghostery/adblocker (`Request.fromRawDetails` + `FiltersEngine.match`, as Ghostery's own
//     benchmark times it), parsed from the same filter lists.
// Both see the same requests in the same order: one warm-up pass each, then `--rounds` timed
// passes, alternating which engine goes first. Prints one JSON document on stdout (progress on
// stderr). `cargo xtask bench` runs it; by hand:
//
//   node tests/bench/decision.mjs --engine target/bench/engine/blocker.bin \
//     --requests $CRUMBWALL_DATA/requests/requests-sample-10k.json \
//     --filters $CRUMBWALL_DATA/filters [--lists easylist.txt,easyprivacy.txt,fanboy-social.txt] \
//     [--rounds 3] [--limit N] [--pkg extension/pkg] [--quick]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { loadRequests, median, parseArgs, summarize, timeMs } from './lib.mjs';
import { urlDecider } from '../../extension/background/url-buffer.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DEFAULT_LISTS = ['easylist.txt', 'easyprivacy.txt', 'fanboy-social.txt'];

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** Whether a `Crumbwall.decide` outcome code means "cancel the request" (16..31, pixels 48..55). */
const isBlockCode = (code) => (code >= 16 && code < 32) || (code >= 48 && code < 56);

async function main() {
  const args = parseArgs(process.argv.slice(2), ['quick']);
  for (const need of ['engine', 'requests', 'filters']) {
    if (!args[need]) throw new Error(`--${need} is required`);
  }
  const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
  const limit = args.limit ? Number(args.limit) : Infinity;
  const pkg = resolve(args.pkg ?? join(ROOT, 'extension', 'pkg'));
  const lists = args.lists ? args.lists.split(',') : DEFAULT_LISTS;

  const requests = loadRequests(args.requests, limit);
  log(`${requests.length} requests, ${rounds} timed round(s) after a warm-up`);

  const wasm = await setUpWasm(pkg, readFileSync(args.engine), rounds);
  const ghostery = await setUpGhostery(lists.map((f) => readFileSync(join(args.filters, f), 'utf8')), rounds);
  const engines = [wasm, ghostery];

  // Warm-up pass: JIT, caches, lazily built structures. Also records each engine's verdicts.
  for (const e of engines) e.verdicts = pass(e, requests).verdicts;
  const timed = Object.fromEntries(engines.map((e) => [e.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? engines : [...engines].reverse();
    for (const e of order) {
      const { samples, verdicts } = pass(e, requests);
      if (!verdicts.every((v, i) => v === e.verdicts[i])) throw new Error(`${e.name}: verdicts changed between passes`);
      timed[e.name].push(summarize(samples));
      log(`round ${r + 1}: ${e.name} median ${timed[e.name].at(-1).median_us.toFixed(2)} us`);
    }
  }

  const result = {
    figure: 'request_decision',
    requests: requests.length,
    rounds,
    lists,
    timer_overhead_us: timerOverheadUs(),
    engines: {},
  };
  for (const e of engines) {
    result.engines[e.name] = {
      ...e.info,
      blocked: e.verdicts.reduce((n, v) => n + (v ? 1 : 0), 0),
      rounds: timed[e.name],
      median_us: median(timed[e.name].map((t) => t.median_us)),
      p99_us: median(timed[e.name].map((t) => t.p99_us)),
      mean_us: median(timed[e.name].map((t) => t.mean_us)),
    };
  }
  // Where the two engines disagree (a few examples, to judge whether the counts are comparable).
  const differ = [];
  const byType = {};
  requests.forEach((q, i) => {
    if (wasm.verdicts[i] === ghostery.verdicts[i]) return;
    differ.push({ ...q, crumbwall: wasm.verdicts[i], ghostery: ghostery.verdicts[i] });
    const t = (byType[q.type] ??= { crumbwall_only: 0, ghostery_only: 0 });
    t[wasm.verdicts[i] ? 'crumbwall_only' : 'ghostery_only'] += 1;
  });
  result.disagreements = { count: differ.length, blocked_by_type: byType, examples: differ.slice(0, 8) };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** One pass over the requests: per-call nanoseconds and per-request "blocked" booleans. */
function pass(engine, requests) {
  const n = requests.length;
  const samples = new Float64Array(n);
  const verdicts = new Array(n);
  const decide = engine.decide;
  for (let i = 0; i < n; i++) {
    const q = requests[i];
    const t0 = process.hrtime.bigint();
    const blocked = decide(q);
    const t1 = process.hrtime.bigint();
    samples[i] = Number(t1 - t0);
    verdicts[i] = blocked;
  }
  return { samples, verdicts };
}

/** The cost of the timer itself (two hrtime calls), median over many, in microseconds. */
function timerOverheadUs() {
  const n = 10000;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    s[i] = Number(t1 - t0);
  }
  return median(s) / 1000;
}

async function setUpWasm(pkg, engineBytes, rounds) {
  const mod = await import(pathToFileURL(join(pkg, 'crumbwall_wasm.js')).href);
  const wasmBytes = readFileSync(join(pkg, 'crumbwall_wasm_bg.wasm'));
  let exports = null;
  const init = timeMs(() => { exports = mod.initSync({ module: wasmBytes }); });
  const c = new mod.Crumbwall(undefined);
  if (typeof c.loadBlocker !== 'function' || typeof c.decide !== 'function') {
    throw new Error(`${pkg} has no Crumbwall.loadBlocker/decide: rebuild it (cargo xtask build)`);
  }
  // Loading from bytes is what the extension does at start-up; repeat it to steady the figure.
  const loads = [];
  for (let i = 0; i < Math.max(3, rounds); i++) loads.push(timeMs(() => c.loadBlocker(engineBytes)).ms);
  log(`crumbwall wasm: engine ${engineBytes.length} bytes, loaded in ${median(loads).toFixed(1)} ms`);
  return {
    name: 'crumbwall_wasm',
    info: {
      label: 'crumbwall wasm (node)',
      wasm_bytes: wasmBytes.length,
      instantiate_ms: init.ms,
      engine_bytes: engineBytes.length,
      engine_gzip_bytes: gzipSync(engineBytes).length,
      load_ms: median(loads),
      load_what: 'Crumbwall.loadBlocker(bytes): deserialise the engine',
    },
    // What the Firefox listener calls: `decide` through the URL buffer (extension/background/url-buffer.js).
    decide: ((fast) => (q) => isBlockCode(fast(q.url, q.frameUrl, q.type, q.frameUrl)))(urlDecider(c, exports.memory)),
  };
}

async function setUpGhostery(texts, rounds) {
  let lib;
  try {
    lib = await import('@ghostery/adblocker');
  } catch (e) {
    throw new Error(`@ghostery/adblocker is not installed (run npm ci in the repository): ${e.message}`);
  }
  const { FiltersEngine, Request } = lib;
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@ghostery', 'adblocker', 'package.json'), 'utf8')).version;
  const config = { loadCosmeticFilters: false, loadNetworkFilters: true, debug: false };
  const text = texts.join('\n');
  const parsed = timeMs(() => FiltersEngine.parse(text, config));
  const serialized = parsed.result.serialize();
  const loads = [];
  let engine = parsed.result;
  for (let i = 0; i < Math.max(3, rounds); i++) {
    const t = timeMs(() => FiltersEngine.deserialize(serialized));
    loads.push(t.ms);
    engine = t.result;
  }
  log(`ghostery ${version}: parsed in ${parsed.ms.toFixed(0)} ms, ${serialized.length} bytes serialised, deserialised in ${median(loads).toFixed(1)} ms`);
  return {
    name: 'ghostery',
    info: {
      label: `ghostery ${version} (node)`,
      version,
      config,
      parse_ms: parsed.ms,
      engine_bytes: serialized.length,
      engine_gzip_bytes: gzipSync(serialized).length,
      load_ms: median(loads),
      load_what: 'FiltersEngine.deserialize(bytes)',
    },
    decide: (q) => engine.match(Request.fromRawDetails({ url: q.url, sourceUrl: q.frameUrl, type: q.type })).match,
  };
}

main().catch((e) => {
  log(`error: ${e.stack ?? e}`);
  process.exit(1);
});
