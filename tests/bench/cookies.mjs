// Figure 4, cookie classification, for Crumbwall's WASM core in Node: `Crumbwall.judgeCookie`,
// the call the extension makes for every cookie the browser reports (cookies.onChanged and the
// session sweeps). `cargo xtask bench` runs it beside the native `Classifier::classify` of
// crates/cli/examples/bench_cookies.rs; by hand:
//
//   node tests/bench/cookies.mjs [--ocd $CRUMBWALL_DATA/cookies/open-cookie-database.csv] \
//     [--known extension/cookies/known.tsv] [--rounds 3] [--min-round-ms 300] [--pkg extension/pkg]
//
// Workloads: the same cookies, in the same order, as bench_cookies.rs builds (its code is mirrored
// here: `ocd_rows` from the OCD CSV when --ocd is given, `synthetic`, 4096 cookies, always). Each
// native cookie becomes a WebExtension `cookies.Cookie` object:
//   - name, value, domain, secure as natively; path "/", httpOnly false, no sameSite (native: None);
//   - lifetime `expires_in` → `session: true` when none, else `expirationDate: NOW + expires_in`
//     with `judgeCookie(..., NOW)`, so the core sees the same remaining lifetime;
//   - the native `site` (a page URL or host from a rotation of four) → `openSites` and
//     `embedders` both `[siteOfUrl(page)]`: a cookie of the page's site is first-party with that
//     site as context, any other is third-party to it. The classifier then gets the page's
//     registrable domain as its site where natively it gets the raw page string.
// What is timed differs from the native figure: judgeCookie is the extension's whole per-cookie
// call — JS object → Rust (serde_wasm_bindgen), site and third-party context, the classifier, the
// policy's action, and the verdict back to a JS object (reason string included) — where the native
// figure times `Classifier::classify` alone. The purposes each variant gives are reported so that
// they can be compared with the native ones.
//
// Variants: `builtin` (a fresh `new Crumbwall(undefined)`: the curated names, as the extension
// before loadCookieKnowledge) and `with_ocd` (another instance after `loadCookieKnowledge(--known)`,
// the build's extension/cookies/known.tsv by default; skipped when that file has no entries).
// Timing as natively: one warm-up pass, then --rounds rounds, each repeating the whole workload
// until it lasts at least --min-round-ms; the figure is the median round's nanoseconds per cookie.
// Prints one JSON document on stdout (progress on stderr).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { median, parseArgs } from './lib.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** "Now" for every judgement (seconds since the epoch); expiry dates are NOW + lifetime. */
const NOW = 1_800_000_000;

// --- Workloads: mirrored from crates/cli/examples/bench_cookies.rs ----------------------------

/** Sites the user is "on", in rotation. */
const SITES = [
  'https://www.news-site.example/world/article-1',
  'www.shop.example',
  'https://blog.example.org/',
  'https://www.example.com/',
];

/** Value shapes, in rotation: empty, flag, short word, numeric id, GA-style, UUID, hex, base64. */
const VALUES = [
  '',
  '1',
  'en-GB',
  '1732890123',
  'GA1.2.1234567890.1732890123',
  '3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c',
  'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  'eyJ1c2VyIjoiYWJjIiwiZXhwIjoxNzMyODkwMTIzfQ%3D%3D',
];

/** Rust's `str::trim` whitespace and `trim_end_matches(c)`. */
const trimEnd = (s, c) => {
  let e = s.length;
  while (e > 0 && s[e - 1] === c) e--;
  return s.slice(0, e);
};
const trimStart = (s, c) => {
  let b = 0;
  while (b < s.length && s[b] === c) b++;
  return s.slice(b);
};

/** Seconds of an OCD retention period ("2 years", "session"); null for session or unreadable. */
function retentionSecs(text) {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length < 2 || !/^[+-]?\d+$/.test(words[0])) return null;
  const n = Number(words[0]);
  const unit = {
    year: 365 * 86_400,
    month: 30 * 86_400,
    week: 7 * 86_400,
    day: 86_400,
    hour: 3600,
    minute: 60,
    second: 1,
  }[trimEnd(words[1], 's')];
  return unit === undefined ? null : n * unit;
}

const isHost = (s) => s.length > 0 && s.includes('.') && /^[A-Za-z0-9._-]+$/.test(s);

/** The host of one of SITES. */
function firstPartyHost(site) {
  const i = site.indexOf('://');
  const s = i >= 0 ? site.slice(i + 3) : site;
  return s.split('/')[0];
}

/** The records of a CSV text (quotes, doubled quotes, CR ignored), as crumbwall_core reads it. */
function csvRecords(text) {
  const records = [];
  let record = [];
  let field = '';
  let inQuotes = false;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    any = true;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          i++;
          field += '"';
        } else inQuotes = false;
      } else field += c;
      continue;
    }
    if (c === '"') inQuotes = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r') {
      // skipped
    } else if (c === '\n') {
      record.push(field);
      field = '';
      records.push(record);
      record = [];
      any = false;
    } else field += c;
  }
  if (any) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** crumbwall_core::cookies::ocd_rows: name, domain, retention, wildcard of each record. */
function ocdRows(text) {
  const records = csvRecords(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) throw new Error('the Open Cookie Database file is empty');
  const col = (name, required) => {
    const i = header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
    if (i < 0 && required) throw new Error(`the Open Cookie Database has no \`${name}\` column`);
    return i < 0 ? null : i;
  };
  const cols = {
    name: col('Cookie / Data Key name', true),
    domain: col('Domain', false),
    retention: col('Retention period', false),
    wildcard: col('Wildcard match', false),
  };
  const get = (r, i) => (i === null ? '' : (r[i] ?? '').trim());
  return records
    .filter((r) => !(r.length === 1 && r[0].trim() === ''))
    .map((r) => ({
      name: get(r, cols.name),
      domain: get(r, cols.domain),
      retention: get(r, cols.retention),
      wildcard: get(r, cols.wildcard) === '1',
    }));
}

/** bench_cookies.rs `ocd_cookies`, as native cookies `{name, value, domain, expiresIn, secure, site}`. */
function ocdCookies(text) {
  return ocdRows(text)
    .filter((r) => trimEnd(r.name, '*') !== '')
    .map((r, i) => {
      const base = trimEnd(r.name, '*');
      const name = r.wildcard || base.length !== r.name.length ? `${base}7f3a` : base;
      const site = SITES[i % SITES.length];
      const domain = isHost(trimStart(r.domain, '.')) ? r.domain : firstPartyHost(site);
      return {
        name,
        value: VALUES[i % VALUES.length],
        domain,
        expiresIn: retentionSecs(r.retention),
        secure: i % 2 === 0,
        site,
      };
    });
}

/** bench_cookies.rs `synthetic_cookies`: a deterministic mix of mostly unknown names. */
function syntheticCookies(n) {
  const STEMS = [
    'k7x', 'zq_ref', 'abtest_bucket', 'session_token', 'lang_pref', 'cart_items', 'uid', 'visitor',
    'trk', 'pxl', 'wp_sticky', 'theme', 'x9f2', 'jwt', 'seg', 'mkto_ref',
  ];
  const DOMAINS = [
    '.doubleclick.net', 'stats.g.doubleclick.net', '.google-analytics.com', '.facebook.com', '',
    '.news-site.example', 'www.shop.example', 'cdn.unknown-thirdparty.test', '.example.com',
    'api.widgets.test',
  ];
  const EXPIRES = [null, 1800, 86_400, 400 * 86_400, 2 * 365 * 86_400];
  const out = [];
  for (let i = 0; i < n; i++) {
    const site = SITES[i % SITES.length];
    const d = DOMAINS[Math.floor(i / 3) % DOMAINS.length];
    out.push({
      name: `${STEMS[i % STEMS.length]}_${((i * 2_654_435_761) % 4093).toString(16)}`,
      value: VALUES[Math.floor(i / 2) % VALUES.length],
      domain: d === '' ? firstPartyHost(site) : d,
      expiresIn: EXPIRES[Math.floor(i / 7) % EXPIRES.length],
      secure: i % 3 !== 0,
      site,
    });
  }
  return out;
}

// --- The WASM side ------------------------------------------------------------------------------

/** A native cookie as the `cookies` API reports it, with the arguments judgeCookie takes. */
function browserCall(c, siteOfPage) {
  const cookie = {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: '/',
    secure: c.secure,
    httpOnly: false,
    session: c.expiresIn === null,
  };
  if (c.expiresIn !== null) cookie.expirationDate = NOW + c.expiresIn;
  const sites = siteOfPage.get(c.site);
  return { cookie, openSites: sites, embedders: sites };
}

/** Nanoseconds per cookie of each round (see the header). */
function timeRounds(calls, judge, rounds, minRoundNs) {
  let sink = 0;
  const pass = () => {
    for (const q of calls) sink += judge(q).purpose.length;
  };
  let t0 = process.hrtime.bigint();
  pass();
  const one = Math.max(1, Number(process.hrtime.bigint() - t0));
  const reps = Math.max(1, Math.ceil(minRoundNs / one));
  const out = [];
  for (let r = 0; r < rounds; r++) {
    t0 = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) pass();
    out.push(Number(process.hrtime.bigint() - t0) / (reps * calls.length));
  }
  if (sink < 0) log('unreachable');
  return out;
}

const round3 = (x) => Math.round(x * 1000) / 1000;

async function main() {
  const args = parseArgs(process.argv.slice(2), ['quick']);
  const rounds = Math.max(1, Number(args.rounds ?? (args.quick ? 1 : 3)));
  const minRoundMs = Number(args['min-round-ms'] ?? 300);
  const pkg = resolve(args.pkg ?? join(ROOT, 'extension', 'pkg'));
  const knownPath = resolve(args.known ?? join(ROOT, 'extension', 'cookies', 'known.tsv'));

  const mod = await import(pathToFileURL(join(pkg, 'crumbwall_wasm.js')).href);
  mod.initSync({ module: readFileSync(join(pkg, 'crumbwall_wasm_bg.wasm')) });
  const builtin = new mod.Crumbwall(undefined);
  if (typeof builtin.judgeCookie !== 'function' || typeof builtin.loadCookieKnowledge !== 'function') {
    throw new Error(`${pkg} has no Crumbwall.judgeCookie/loadCookieKnowledge: rebuild it (cargo xtask build)`);
  }

  // Workloads, in the native order.
  const workloads = [];
  let ocdInfo = null;
  if (args.ocd) {
    const cookies = ocdCookies(readFileSync(args.ocd, 'utf8'));
    ocdInfo = { path: args.ocd, rows: cookies.length };
    workloads.push({
      key: 'ocd_rows',
      label: `Open Cookie Database rows (${cookies.length} cookies: known names)`,
      cookies,
    });
  }
  const synthetic = syntheticCookies(4096);
  workloads.push({
    key: 'synthetic',
    label: `synthetic mix (${synthetic.length} cookies: mostly unknown names, tracker/first-party/other domains)`,
    cookies: synthetic,
  });
  const siteOfPage = new Map(
    SITES.map((s) => [s, [mod.siteOfUrl(s.includes('://') ? s : `https://${s}/`)]]),
  );

  // Variants.
  const variants = [
    {
      key: 'builtin',
      label: 'crumbwall wasm (node): judgeCookie, curated names only (no loadCookieKnowledge)',
      c: builtin,
    },
  ];
  let known = { path: knownPath, entries: 0, note: null };
  if (existsSync(knownPath)) {
    const withOcd = new mod.Crumbwall(undefined);
    const tsv = readFileSync(knownPath, 'utf8');
    const t0 = process.hrtime.bigint();
    known.entries = withOcd.loadCookieKnowledge(tsv);
    known.load_ms = Number(process.hrtime.bigint() - t0) / 1e6;
    known.bytes = Buffer.byteLength(tsv);
    if (known.entries > 0) {
      variants.push({
        key: 'with_ocd',
        label: `crumbwall wasm (node): judgeCookie after loadCookieKnowledge (${known.entries} names)`,
        c: withOcd,
      });
    } else known.note = `${knownPath} has no entries (built without the Open Cookie Database): no with_ocd row`;
  } else known.note = `${knownPath} is missing: no with_ocd row`;
  if (known.note) log(known.note);

  const results = {};
  for (const w of workloads) {
    const calls = w.cookies.map((c) => browserCall(c, siteOfPage));
    for (const v of variants) {
      const judge = (q) => v.c.judgeCookie(q.cookie, q.openSites, q.embedders, NOW);
      const perRound = timeRounds(calls, judge, rounds, minRoundMs * 1e6);
      const ns = median(perRound);
      const purposes = {};
      const actions = {};
      let knownNames = 0;
      let thirdParty = 0;
      for (const q of calls) {
        const r = judge(q);
        purposes[r.purpose] = (purposes[r.purpose] ?? 0) + 1;
        actions[r.action] = (actions[r.action] ?? 0) + 1;
        if (r.reason.startsWith('known ')) knownNames++;
        if (r.thirdParty) thirdParty++;
      }
      const sorted = Object.fromEntries(Object.entries(purposes).sort(([a], [b]) => (a < b ? -1 : 1)));
      results[`${v.key}/${w.key}`] = {
        variant: v.key,
        workload: w.key,
        label: v.label,
        ns_per_cookie: ns,
        cookies_per_s: 1e9 / ns,
        rounds_ns_per_cookie: perRound,
        known_name_share: round3(knownNames / calls.length),
        third_party_share: round3(thirdParty / calls.length),
        purposes: sorted,
        actions,
      };
      log(`${v.key}/${w.key}: ${Math.round(1e9 / ns).toLocaleString('en')} cookies/s (${(ns / 1000).toFixed(3)} us)`);
    }
  }
  const out = {
    figure: 'cookie_classification',
    engine: 'crumbwall wasm (node)',
    node: process.version,
    rounds,
    min_round_ms: minRoundMs,
    threads: 1,
    now: NOW,
    ocd: ocdInfo,
    known,
    workloads: Object.fromEntries(workloads.map((w) => [w.key, { label: w.label, cookies: w.cookies.length }])),
    results,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`cookies.mjs: ${e?.stack ?? e}\n`);
  process.exit(2);
});
