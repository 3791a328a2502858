// Figure `consent_first_paint`: the time to first paint of a test-web page with a cookie banner
// (a Cookiebot imitation, as in tests/e2e/consent.test.mjs) in headless Chromium with the
// extension, with the cookie-banner feature on (auto-decline and hiding, the defaults) and off
// (both global switches off: the content scripts still run and are told to stay idle), in one
// browser and one run: runs alternate on/off (and which goes first), each in a new tab. The
// figure is the `first-paint` paint-timing entry (ms from navigation start). The ratio is
// median(on) / median(off). Prints one JSON document on stdout (progress on stderr).
// `cargo xtask bench --only consent_first_paint` runs it; by hand:
//
//   node tests/bench/consent.mjs [--runs 20]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, parseArgs } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (...a) => console.error('consent_first_paint:', ...a);

const args = parseArgs(process.argv.slice(2));
const runs = Math.max(2, Number(args.runs ?? 20));

const { launchChromium, waitForExtensionReady } = await import('../e2e/lib/browsers.mjs');
const { startTestWeb } = await import('../web/server.mjs');

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>consent bench</title>
<script>window.Cookiebot = { hasResponse: false, declined: false, dialog: { visible: true },
  hide() { this.dialog.visible = false; document.getElementById('CybotCookiebotDialog').style.display = 'none'; },
  withdraw() { this.declined = true; this.hasResponse = true; } };</script></head>
<body><main><h1>Article</h1><p>${'Lorem ipsum dolor sit amet. '.repeat(60)}</p></main>
<div id="CybotCookiebotDialog" style="position:fixed;bottom:0;left:0;right:0;background:#fff;padding:16px">We use cookies.
<button id="CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll" onclick="Cookiebot.withdraw();Cookiebot.hide()">Necessary only</button></div>
<div class="CaixaCookies" style="position:fixed;top:0;left:0;right:0;background:#eee;padding:8px">This site uses cookies.</div>
</body></html>`;

const extensionDir = path.join(ROOT, 'target', 'unpacked', 'chrome');
if (!fs.existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} is missing: run \`cargo xtask build\``);

const web = await startTestWeb({
  extraRoutes: { publisher: { '/consent/bench': { kind: 'document', handler: (ctx) => ctx.send(200, 'text/html; charset=utf-8', PAGE, { 'cache-control': 'no-store' }) } } },
});
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crumbwall-bench-consent-'));
let h;
try {
  try {
    h = await launchChromium({ extensionDir, profileDir, port: web.port });
  } catch (e) {
    if (/not found \(looked at/.test(e.message)) {
      console.log(JSON.stringify({ skipped: e.message }));
      process.exit(0);
    }
    throw e;
  }
  await waitForExtensionReady(h, { key: 'ready', area: 'session', timeout: 20000 });
  const options = await h.openExtensionPage('extension/options/options.html');
  const send = (m) => options.evaluate((msg) => chrome.runtime.sendMessage(msg), m);
  const setFeature = async (on) => {
    for (const name of ['consent.auto_decline', 'consent.hide_banners']) {
      const r = await send({ type: 'setSwitch', name, on });
      if (!r?.ok) throw new Error(`setSwitch ${name}: ${JSON.stringify(r)}`);
    }
  };
  let seq = 0;
  const load = async () => {
    const page = await h.newPage();
    try {
      await page.goto(h.url('site.test', `/consent/bench?n=${++seq}`), { waitUntil: 'load', timeout: 30000 });
      const paint = await page.waitForFunction(() => performance.getEntriesByName('first-paint')[0]?.startTime, { timeout: 10000 });
      return paint.jsonValue();
    } finally {
      await page.close();
    }
  };
  const samples = { on: [], off: [] };
  // One untimed warm-up load each.
  for (const on of [true, false]) {
    await setFeature(on);
    await load();
  }
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const on of order) {
      await setFeature(on);
      samples[on ? 'on' : 'off'].push(await load());
    }
    if ((i + 1) % 5 === 0) log(`${i + 1}/${runs} runs`);
  }
  await setFeature(true);
  const round1 = (x) => Math.round(x * 10) / 10;
  const on = median(samples.on);
  const off = median(samples.off);
  console.log(JSON.stringify({
    runs,
    page: 'site.test/consent/bench (Cookiebot imitation + a .CaixaCookies banner)',
    feature_on: { median_ms: round1(on), samples_ms: samples.on.map(round1) },
    feature_off: { median_ms: round1(off), samples_ms: samples.off.map(round1) },
    ratio_on_off: Math.round((on / off) * 1000) / 1000,
    added_ms: round1(on - off),
  }));
} finally {
  await h?.close();
  await web.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
}
