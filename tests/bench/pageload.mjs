// Figure `page_load`: the page's load event time in headless Chromium with the extension vs
// without it, on the test web's tracker-heavy publisher page (site.test `/`: ads.test,
// analytics.test, social.test and pixel.test embeds) and its tracker-free page (site.test
// `/plain`). Three browsers with the same flags (extensions enabled) are launched per session
// (fresh profiles): one with the unpacked build (target/unpacked/chrome), one without, and one
// with the permission floor (see VARIANTS); two sessions reverse the launch order, half the runs
// each. The test web answers instantly on localhost, so the
// tracker hosts' responses are delayed (`--tracker-delay`, default 100 ms) to give them a real
// web's latency; publisher responses are not delayed. Every run opens a new tab and loads the page
// with waitUntil 'load'; the figure is loadEventEnd of the navigation timing entry (also the wall
// time of page.goto). Runs alternate the page and which variant goes first. Prints one JSON
// document on stdout (progress on stderr). `cargo xtask bench` runs it; by hand:
//
//   node tests/bench/pageload.mjs [--runs 20] [--tracker-delay 100] [--control-only]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (...a) => console.error('page_load:', ...a);

const args = parseArgs(process.argv.slice(2), ['control-only']);
const runs = Number(args.runs ?? 20);
const delayMs = Number(args['tracker-delay'] ?? 100);
// --control-only: neither browser loads the extension (an A/A check of the harness: ratios ≈ 1).
const controlOnly = Boolean(args['control-only']);
const GOAL_HEAVY_RATIO_MAX = 1; // strictly below
const GOAL_PLAIN_RATIO_MAX = 1.05;

const { launchChromium, waitForExtensionReady } = await import('../e2e/lib/browsers.mjs');
const { startTestWeb, ROUTES } = await import('../web/server.mjs');

const TRACKER_ROLES = ['ads', 'analytics', 'social', 'pixel'];
const PAGES = [
  { key: 'tracker_heavy', host: 'site.test', path: '/' },
  { key: 'tracker_free', host: 'site.test', path: '/plain' },
];
const round1 = (x) => Math.round(x * 10) / 10;
const SETTLE_MS = 150;

// Every route of the tracker roles, delayed by `delayMs`, then answered by the original handler.
const extraRoutes = {};
for (const role of TRACKER_ROLES) {
  extraRoutes[role] = {};
  for (const [p, r] of Object.entries(ROUTES[role])) {
    extraRoutes[role][p] = { kind: r.kind, handler: (ctx) => { setTimeout(() => { try { r.handler(ctx); } catch { if (!ctx.res.headersSent) { ctx.res.writeHead(500); ctx.res.end(); } } }, delayMs); } };
  }
}

const extensionDir = path.join(ROOT, 'target', 'unpacked', 'chrome');
if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} is missing: run \`cargo xtask build\``);

const web = await startTestWeb({ extraRoutes });
const out = { runs, tracker_delay_ms: delayMs, tracker_hosts: TRACKER_ROLES.map((r) => `${r}.test`), control_only: controlOnly };
const samples = {};
// Variants: `with` the extension; `without` none (the control); `floor` a do-nothing extension
// with Crumbwall's permissions and host access, an empty worker, no rules and no content
// scripts. The floor is what the browser charges any extension that may intercept requests:
// permission-floors.mjs finds it with declarativeNetRequest alone, even without host access, and
// with webRequest (not with storage, scripting, cookies or browsingData); `with` / `floor` is
// Crumbwall's own cost.
const VARIANTS = ['with', 'without', 'floor'];
for (const pg of PAGES) samples[pg.key] = Object.fromEntries(VARIANTS.map((v) => [v, []]));

/** The floor extension, written to a temporary directory from the real manifest's permissions. */
function writeFloorExtension() {
  const real = JSON.parse(fs.readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crumbwall-bench-floor-'));
  const manifest = {
    manifest_version: 3,
    name: 'Crumbwall page-load floor (benchmark)',
    version: '0.0.1',
    permissions: real.permissions ?? [],
    host_permissions: real.host_permissions ?? [],
    background: { service_worker: 'worker.js' },
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'worker.js'), 'chrome.storage.session.set({ ready: Date.now() });\n');
  return { dir, permissions: manifest.permissions, host_permissions: manifest.host_permissions };
}
const floor = writeFloorExtension();
out.floor_extension = { what: 'same permissions and host permissions as the extension, an empty service worker, no rules, no content scripts', permissions: floor.permissions, host_permissions: floor.host_permissions };

/** One load in a new tab: loadEventEnd, wall time, and the requests the server saw per host. */
async function load(h, pg) {
  // Let the previous load's tab finish closing first: without this pause, a load that followed
  // the tracker-heavy page's teardown was measurably slower (A/A check, --control-only).
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const page = await h.newPage();
  try {
    const since = web.log.length;
    const t0 = performance.now();
    await page.goto(h.url(pg.host, pg.path), { waitUntil: 'load', timeout: 30000 });
    const wall = performance.now() - t0;
    const loadEventEnd = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    const hosts = {};
    for (const e of web.log.slice(since)) hosts[e.host] = (hosts[e.host] ?? 0) + 1;
    return { load_event_end_ms: loadEventEnd, goto_wall_ms: wall, hosts };
  } finally {
    await page.close().catch(() => {});
  }
}

/**
 * One session: the variants' browsers launched (in `launchOrder`), warmed up alike, then `n`
 * runs that alternate the page and which variant goes first. Every browser gets the same flags,
 * extensions enabled; the control simply has no extension loaded (so the figure is the
 * extension's cost, not the extension system's).
 */
async function session(launchOrder, n, first) {
  const profiles = [];
  const handles = {};
  try {
    for (const variant of launchOrder) {
      const ext = controlOnly ? null : { with: extensionDir, floor: floor.dir }[variant] ?? null;
      const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-bench-pageload-${variant}-`));
      profiles.push(profileDir);
      handles[variant] = await launchChromium({ extensionDir: ext, profileDir, port: web.port, extensionsEnabled: true });
      if (ext) await waitForExtensionReady(handles[variant], { key: 'ready', area: 'session', timeout: 20000 });
    }
    if (first) {
      // Is /plain tracker-free? Load it without the extension: the server must see site.test only.
      const check = await load(handles.without, PAGES[1]);
      const thirdParty = Object.keys(check.hosts).filter((h) => h !== 'site.test');
      out.tracker_free_check = { page: 'site.test/plain', hosts_requested: check.hosts, third_party_hosts: thirdParty, ok: thirdParty.length === 0 };
      if (thirdParty.length) log(`WARNING: /plain requested third parties: ${thirdParty.join(', ')}`);
    }
    // Warm-up: two untimed loads of each page in each browser.
    for (let w = 0; w < 2; w++) for (const pg of PAGES) for (const v of VARIANTS) await load(handles[v], pg);
    for (let i = 0; i < n; i++) {
      // Rotate which variant goes first, and reverse the order every other run.
      const rotated = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]);
      const order = i % 2 ? rotated.reverse() : rotated;
      const pages = i % 2 ? [...PAGES].reverse() : PAGES;
      for (const pg of pages) {
        for (const v of order) samples[pg.key][v].push(await load(handles[v], pg));
      }
      log(`${launchOrder[0]} launched first, run ${i + 1}/${n}: ${PAGES.map((pg) => `${pg.key} ${VARIANTS.map((v) => `${v} ${round1(samples[pg.key][v].at(-1).load_event_end_ms)}`).join(' / ')} ms`).join(', ')}`);
    }
  } finally {
    for (const h of Object.values(handles)) await h.close().catch(() => {});
    for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
  }
}

try {
  // Two sessions with the launch order swapped: a browser's place in the launch order alone
  // moved the tracker-free page's median by up to 30% in an A/A check (--control-only).
  const half = Math.ceil(runs / 2);
  try {
    await session(VARIANTS, half, true);
  } catch (e) {
    if (/not found \(looked at/.test(e.message)) {
      console.log(JSON.stringify({ skipped: e.message }));
      process.exit(0);
    }
    throw e;
  }
  await session([...VARIANTS].reverse(), runs - half, false);

  out.pages = {};
  for (const pg of PAGES) {
    const v = {};
    for (const variant of VARIANTS) {
      const s = samples[pg.key][variant];
      const lee = s.map((x) => x.load_event_end_ms);
      const wall = s.map((x) => x.goto_wall_ms);
      // Requests per host, median per load (what crossed the wire: blocked requests never do).
      const hostNames = [...new Set(s.flatMap((x) => Object.keys(x.hosts)))].sort();
      v[variant] = {
        median_ms: round1(median(lee)),
        min_ms: round1(Math.min(...lee)),
        max_ms: round1(Math.max(...lee)),
        goto_wall_median_ms: round1(median(wall)),
        requests_per_load: Object.fromEntries(hostNames.map((h) => [h, median(s.map((x) => x.hosts[h] ?? 0))])),
        samples_ms: lee.map(round1),
      };
    }
    const ratio = v.with.median_ms / v.without.median_ms;
    const wallRatio = v.with.goto_wall_median_ms / v.without.goto_wall_median_ms;
    const goal = pg.key === 'tracker_heavy'
      ? { ratio_below: GOAL_HEAVY_RATIO_MAX, met: ratio < GOAL_HEAVY_RATIO_MAX }
      : { ratio_max: GOAL_PLAIN_RATIO_MAX, met: ratio <= GOAL_PLAIN_RATIO_MAX };
    const r3 = (x) => Math.round(x * 1000) / 1000;
    out.pages[pg.key] = {
      url: `${pg.host}${pg.path}`,
      with_extension: v.with,
      without_extension: v.without,
      permission_floor: v.floor,
      ratio_with_without: r3(ratio),
      ratio_floor_without: r3(v.floor.median_ms / v.without.median_ms),
      ratio_with_floor: r3(v.with.median_ms / v.floor.median_ms),
      goto_wall_ratio: r3(wallRatio),
      goal,
    };
  }
} finally {
  await web.close();
  fs.rmSync(floor.dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
