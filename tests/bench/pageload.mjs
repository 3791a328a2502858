// Figure `page_load`: the page's load event time in headless Chromium with the extension vs
// without it, on the test web's tracker-heavy publisher page (site.test `/`: ads.test,
// analytics.test, social.test and pixel.test embeds) and its tracker-free page (site.test
// `/plain`). Two browsers are launched once each (fresh profiles): one with the unpacked build
// (target/unpacked/chrome), one without. The test web answers instantly on localhost, so the
// tracker hosts' responses are delayed (`--tracker-delay`, default 100 ms) to give them a real
// web's latency; publisher responses are not delayed. Every run opens a new tab and loads the page
// with waitUntil 'load'; the figure is loadEventEnd of the navigation timing entry (also the wall
// time of page.goto). Runs alternate the page and which variant goes first. Prints one JSON
// document on stdout (progress on stderr). `cargo xtask bench` runs it; by hand:
//
//   node tests/bench/pageload.mjs [--runs 20] [--tracker-delay 100]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (...a) => console.error('page_load:', ...a);

const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 20);
const delayMs = Number(args['tracker-delay'] ?? 100);
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
const profiles = [];
const handles = {};
const out = { runs, tracker_delay_ms: delayMs, tracker_hosts: TRACKER_ROLES.map((r) => `${r}.test`) };
try {
  for (const [variant, ext] of [['with', extensionDir], ['without', null]]) {
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-bench-pageload-${variant}-`));
    profiles.push(profileDir);
    try {
      handles[variant] = await launchChromium({ extensionDir: ext, profileDir, port: web.port });
    } catch (e) {
      if (/not found \(looked at/.test(e.message)) {
        console.log(JSON.stringify({ skipped: e.message }));
        process.exit(0);
      }
      throw e;
    }
    if (ext) await waitForExtensionReady(handles[variant], { key: 'ready', area: 'session', timeout: 20000 });
  }

  /** One load in a new tab: loadEventEnd, wall time, and the requests the server saw per host. */
  const load = async (variant, pg) => {
    const h = handles[variant];
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
  };

  // Is /plain tracker-free? Load it without the extension: the server must see site.test only.
  const check = await load('without', PAGES[1]);
  const thirdParty = Object.keys(check.hosts).filter((h) => h !== 'site.test');
  out.tracker_free_check = { page: 'site.test/plain', hosts_requested: check.hosts, third_party_hosts: thirdParty, ok: thirdParty.length === 0 };
  if (thirdParty.length) log(`WARNING: /plain requested third parties: ${thirdParty.join(', ')}`);

  // Warm-up: one untimed load of each page in each browser.
  for (const pg of PAGES) for (const v of ['with', 'without']) await load(v, pg);

  const samples = {};
  for (const pg of PAGES) samples[pg.key] = { with: [], without: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? ['without', 'with'] : ['with', 'without'];
    const pages = i % 2 ? [...PAGES].reverse() : PAGES;
    for (const pg of pages) {
      for (const v of order) samples[pg.key][v].push(await load(v, pg));
    }
    log(`run ${i + 1}/${runs}: ${PAGES.map((pg) => `${pg.key} with ${round1(samples[pg.key].with.at(-1).load_event_end_ms)} / without ${round1(samples[pg.key].without.at(-1).load_event_end_ms)} ms`).join(', ')}`);
  }

  out.pages = {};
  for (const pg of PAGES) {
    const v = {};
    for (const variant of ['with', 'without']) {
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
    out.pages[pg.key] = { url: `${pg.host}${pg.path}`, with_extension: v.with, without_extension: v.without, ratio_with_without: Math.round(ratio * 1000) / 1000, goto_wall_ratio: Math.round(wallRatio * 1000) / 1000, goal };
  }
} finally {
  for (const h of Object.values(handles)) await h.close().catch(() => {});
  for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
  await web.close();
}
console.log(JSON.stringify(out, null, 2));
