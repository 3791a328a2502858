// Figure `popup_paint`: how fast the popup paints. In each browser, with the extension loaded (a
// temporary copy of target/unpacked/<browser>) and a tab showing the test web's tracker-heavy
// site.test/, the popup page is opened for that tab `--opens` times, each open in a new tab, and
// two paint-timing figures are read: `first-contentful-paint` (ms from the popup's navigation
// start; the "first paint under 100 ms after the click") and the popup's own
// `crumbwall-protection-rendered` mark (the site, its switch and its counts on screen, after one
// message to the background). Reference in the same browser and run: the same popup HTML with
// its scripts removed (`popup-static.html`, added to the copy beside popup.html, so the same
// stylesheets and header): what an extension page with no script costs here; and a minimal page
// (`minimal-static.html`: one line of text, nothing else), the floor of any extension page in this
// browser on this machine. Opens rotate between the three (and which goes first). Prints one JSON document on stdout (progress on stderr).
// `cargo xtask bench --only popup_paint` runs it; by hand (after `cargo xtask build`):
//
//   node tests/bench/popup.mjs [--opens 21] [--browsers chromium,firefox]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (...a) => console.error('popup_paint:', ...a);

const args = parseArgs(process.argv.slice(2));
const opens = Math.max(2, Number(args.opens ?? 21));
const browsers = String(args.browsers ?? 'chromium,firefox').split(',').filter(Boolean);
const GOAL_MS = 100;

const { launchChromium, launchFirefox, waitForExtensionReady } = await import('../e2e/lib/browsers.mjs');
const { startTestWeb } = await import('../web/server.mjs');

const UNPACKED = { chromium: 'chrome', firefox: 'firefox' };
const round1 = (x) => Math.round(x * 10) / 10;
/** The least an extension page can be: one line of text, no stylesheet, no image, no script. */
const MINIMAL_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Crumbwall</title></head><body><p>Crumbwall</p></body></html>\n';

/** A copy of the unpacked build with `extension/popup/popup-static.html`: popup.html without scripts. */
function extensionCopy(kind) {
  const src = path.join(ROOT, 'target', 'unpacked', UNPACKED[kind]);
  if (!fs.existsSync(path.join(src, 'manifest.json'))) throw new Error(`${src} is missing: run \`cargo xtask build\``);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-bench-popup-${kind}-`));
  fs.cpSync(src, dir, { recursive: true });
  const popup = fs.readFileSync(path.join(dir, 'extension', 'popup', 'popup.html'), 'utf8');
  const script = /<script\b[^>]*>\s*<\/script>/g;
  const scripts = popup.match(script) ?? [];
  if (!scripts.length) throw new Error('popup.html has no script to remove: the reference would be the popup itself');
  const stripped = popup.replace(script, '');
  fs.writeFileSync(path.join(dir, 'extension', 'popup', 'popup-static.html'), stripped);
  fs.writeFileSync(path.join(dir, 'extension', 'popup', 'minimal-static.html'), MINIMAL_PAGE);
  return { dir, scriptsRemoved: scripts.length };
}

/** Opens `page` (an extension path) in a new tab and reads its paint figures. */
async function open(h, p, { rendered }) {
  const page = await h.openExtensionPage(p);
  try {
    if (rendered) await page.waitForSelector('body[data-protection-ready]', { timeout: 10000 });
    const m = await page.waitForFunction((wantRendered) => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
      const r = performance.getEntriesByName('crumbwall-protection-rendered')[0]?.startTime;
      if (fcp === undefined || (wantRendered && r === undefined)) return false;
      return { fcp, rendered: r ?? null };
    }, { timeout: 10000 }, rendered);
    return m.jsonValue();
  } finally {
    await page.close();
  }
}

async function measure(kind, web) {
  const { dir, scriptsRemoved } = extensionCopy(kind);
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-bench-popup-profile-${kind}-`));
  const launch = kind === 'firefox' ? launchFirefox : launchChromium;
  let h;
  try {
    h = await launch({ extensionDir: dir, profileDir, port: web.port });
    await waitForExtensionReady(h, { key: 'ready', area: 'session', timeout: 20000 });
    const site = await h.newPage();
    await site.goto(h.url('site.test', '/'), { waitUntil: 'load', timeout: 30000 });
    const tabId = await h.evalBackground(async (pattern) => {
      const api = globalThis.browser ?? globalThis.chrome;
      const tabs = await api.tabs.query({ url: pattern });
      return tabs.length ? tabs[tabs.length - 1].id : null;
    }, '*://site.test/*');
    if (typeof tabId !== 'number') throw new Error(`${kind}: no tab shows site.test`);
    const variants = {
      popup: () => open(h, `extension/popup/popup.html?tabId=${tabId}`, { rendered: true }),
      reference: () => open(h, 'extension/popup/popup-static.html', { rendered: false }),
      minimal: () => open(h, 'extension/popup/minimal-static.html', { rendered: false }),
    };
    // One untimed warm-up open each.
    for (const v of Object.values(variants)) await v();
    const samples = { popup: [], rendered: [], reference: [], minimal: [] };
    const names = Object.keys(variants);
    for (let i = 0; i < opens; i++) {
      // Rotate which variant goes first, so drift in the machine's load hits all alike.
      const order = names.map((_, k) => names[(i + k) % names.length]);
      for (const name of order) {
        const m = await variants[name]();
        samples[name].push(m.fcp);
        if (name === 'popup') samples.rendered.push(m.rendered);
      }
      if ((i + 1) % 5 === 0) log(`${kind}: ${i + 1}/${opens} opens`);
    }
    const fcp = median(samples.popup);
    const ref = median(samples.reference);
    return {
      opens,
      popup_first_contentful_paint: { median_ms: round1(fcp), min_ms: round1(Math.min(...samples.popup)), samples_ms: samples.popup.map(round1) },
      popup_protection_rendered: { median_ms: round1(median(samples.rendered)), samples_ms: samples.rendered.map(round1) },
      reference_first_contentful_paint: { median_ms: round1(ref), samples_ms: samples.reference.map(round1), scripts_removed: scriptsRemoved },
      minimal_page_first_contentful_paint: { median_ms: round1(median(samples.minimal)), samples_ms: samples.minimal.map(round1) },
      ratio_popup_reference: Math.round((fcp / ref) * 1000) / 1000,
      goal_met: fcp < GOAL_MS,
    };
  } finally {
    if (h) await h.close().catch(() => {});
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const web = await startTestWeb();
const out = { opens, goal_ms: GOAL_MS, browsers: {}, skipped: {} };
try {
  for (const kind of browsers) {
    try {
      out.browsers[kind] = await measure(kind, web);
      const b = out.browsers[kind];
      log(`${kind}: popup first contentful paint ${b.popup_first_contentful_paint.median_ms} ms, reference ${b.reference_first_contentful_paint.median_ms} ms`);
    } catch (e) {
      if (/not found \(looked at/.test(e.message)) {
        out.skipped[kind] = e.message;
        log(`${kind}: SKIPPED: ${e.message}`);
      } else throw e;
    }
  }
} finally {
  await web.close();
}
console.log(JSON.stringify(out, null, 2));
