// Helpers shared by the benchmark scripts (`cargo xtask bench` runs them; see README.md here).
// Timing, statistics and the request data set, kept identical to the Rust side
// (crates/cli/examples/bench_decide.rs): same type mapping, same percentile definition.
import { readFileSync } from 'node:fs';

/**
 * The webRequest / declarativeNetRequest type for a request of the data set, from its Chrome
 * DevTools type (`cpt`), as uBlock Origin's benchmark maps it: document → main_frame when the
 * request is its own frame, else sub_frame; xhr and fetch → xmlhttprequest; eventsource,
 * manifest and texttrack → other; every other type unchanged.
 */
export function requestType(cpt, url, frameUrl) {
  switch (cpt) {
    case 'document':
      return url === frameUrl ? 'main_frame' : 'sub_frame';
    case 'xhr':
    case 'fetch':
      return 'xmlhttprequest';
    case 'eventsource':
    case 'manifest':
    case 'texttrack':
      return 'other';
    default:
      return cpt;
  }
}

/**
 * The requests of a JSON Lines file (`{url, frameUrl, cpt}` per line), in file order, as
 * `{url, frameUrl, type}`; `limit` keeps only the first ones.
 */
export function loadRequests(path, limit = Infinity) {
  const out = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (out.length >= limit) break;
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const url = String(r.url ?? '');
    const frameUrl = String(r.frameUrl ?? '');
    out.push({ url, frameUrl, type: requestType(String(r.cpt ?? 'other'), url, frameUrl) });
  }
  return out;
}

/** Nearest-rank percentile `p` (0..100) of ascending `sorted` values. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** The median of numbers (mean of the two middle values for an even count). */
export function median(values) {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `{median, p99, mean, max}` in microseconds of per-call samples in nanoseconds. */
export function summarize(samplesNs) {
  const s = Float64Array.from(samplesNs).sort();
  let sum = 0;
  for (const v of s) sum += v;
  const us = (ns) => ns / 1000;
  return {
    median_us: us(median(s)),
    p99_us: us(percentile(s, 99)),
    mean_us: us(sum / s.length),
    max_us: us(s[s.length - 1]),
  };
}

/** Milliseconds taken by `fn()` (one call), and its result. */
export function timeMs(fn) {
  const t0 = process.hrtime.bigint();
  const result = fn();
  const t1 = process.hrtime.bigint();
  return { ms: Number(t1 - t0) / 1e6, result };
}

/** Parses `--name value` and `--flag` arguments into an object (`--rounds 3` → {rounds: '3'}). */
export function parseArgs(argv, flags = []) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const name = a.slice(2);
    if (flags.includes(name)) out[name] = true;
    else if (i + 1 < argv.length) out[name] = argv[++i];
    else throw new Error(`${a} needs a value`);
  }
  return out;
}
