// Self-test of the e2e browser library and the test web, with a throwaway extension.
//
//   node tests/e2e/lib/selftest.mjs /path/to/dummy-ext [chromium|firefox]
//
// The extension must: set storage.local crumbwallReady=true at startup and add a DNR dynamic
// rule that sets the request header `X-Dummy: 1` on every request (see the report / README).
// Per browser: launch with the extension on a fresh profile, load site.test/, assert from the
// server log that the page, its trackers and the probes arrived with X-Dummy; restart with the
// same profile and check a storage.local value survived; then a control run without the
// extension (same requests arrive, no X-Dummy). Prints timings and "N passed, N failed".

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestWeb } from '../../web/server.mjs';
import { launchChromium, launchFirefox, waitForExtensionReady, gotoAndWaitTitle } from './browsers.mjs';

const extDir = process.argv[2];
const only = process.argv[3];
if (!extDir || !fs.existsSync(path.join(extDir, 'manifest.json'))) {
  console.error('usage: node tests/e2e/lib/selftest.mjs EXTENSION_DIR [chromium|firefox]');
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) { passed++; console.log(`  ok   ${name}`); }
  else { failed++; console.log(`  FAIL ${name}${detail ? ` -- ${detail}` : ''}`); }
}
const ms = (t0) => `${Date.now() - t0} ms`;

const web = await startTestWeb();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crumbwall-selftest-'));
const launchers = { chromium: launchChromium, firefox: launchFirefox };
const T0 = Date.now();

/** Loads site.test/ and checks what reached the server. */
async function loadAndCheck(h, label, { expectDummy }) {
  web.clear();
  const page = await h.newPage();
  const loadMs = await gotoAndWaitTitle(page, h.url('site.test', '/'));
  // The probes are fetch(keepalive) requests: wait for them rather than assume.
  await Promise.all(['top', 'same', 'social'].map((f) => web.waitFor((e) => e.path === '/__probe' && e.query.includes(`frame=${f}&`), { timeout: 3000 }).catch(() => null)));
  console.log(`  [${label}] site.test/ ready in ${loadMs} ms, ${web.log.length} requests`);
  const has = (host, p) => web.log.some((e) => e.host === host && e.path === p);
  check(`${label}: page document`, web.log.some((e) => e.host === 'site.test' && e.path === '/' && e.kind === 'document'));
  check(`${label}: first-party css/js/img/xhr`, has('site.test', '/static/site.css') && has('site.test', '/static/app.js') && has('site.test', '/static/logo.png') && has('site.test', '/api/data'));
  check(`${label}: ads.js + banner.png`, has('ads.test', '/ads.js') && has('ads.test', '/banner.png'));
  check(`${label}: analytics.js + collect`, has('analytics.test', '/analytics.js') && web.log.some((e) => e.host === 'analytics.test' && e.path === '/collect' && /tid=UA-1/.test(e.query)));
  check(`${label}: social widget`, has('social.test', '/widget/like'));
  check(`${label}: pixel p.gif`, web.log.some((e) => e.host === 'pixel.test' && e.path === '/p.gif' && e.query === 'uid=123&ev=pageview'));
  const probes = web.probes();
  for (const f of ['top', 'same', 'social']) {
    const p = probes.find((x) => x.frame === f);
    check(`${label}: probe frame=${f} reported dnt/gpc`, p && p.dnt !== null && p.gpc !== null, JSON.stringify(p));
  }
  const top = probes.find((x) => x.frame === 'top');
  if (top) console.log(`  [${label}] page saw navigator.doNotTrack=${top.dnt} navigator.globalPrivacyControl=${top.gpc}; DNT header=${top.dntHeader} Sec-GPC header=${top.secGpc}`);
  check(`${label}: cookies set by server (session_id, lang, ad_id, _ga, social_uid, px_uid)`,
    ['session_id', 'lang', 'ad_id', '_ga', 'social_uid', 'px_uid'].every((n) => web.cookiesSet.some((c) => c.name === n)));
  const withDummy = web.log.filter((e) => e.rawHeaders['x-dummy'] === '1');
  if (expectDummy) {
    const missing = web.log.filter((e) => e.rawHeaders['x-dummy'] !== '1' && e.path !== '/favicon.ico');
    check(`${label}: X-Dummy on every request (DNR rule active)`, withDummy.length > 0 && missing.length === 0, missing.map((e) => e.host + e.url).join(', '));
  } else {
    check(`${label}: no X-Dummy (control)`, withDummy.length === 0, withDummy.map((e) => e.host + e.url).join(', '));
  }
  return page;
}

async function runBrowser(kind) {
  const launch = launchers[kind];
  const profileDir = path.join(tmp, `${kind}-profile`);
  console.log(`\n== ${kind}`);
  let h;
  try {
    // 1. fresh profile with the extension
    let t = Date.now();
    h = await launch({ extensionDir: extDir, profileDir, port: web.port });
    console.log(`  launch (fresh profile): ${ms(t)} (handle.launchMs ${h.launchMs} ms), extension ${h.extensionOrigin}`);
    t = Date.now();
    await waitForExtensionReady(h);
    console.log(`  extension ready after ${ms(t)}`);
    check(`${kind}: extensionId/origin`, !!h.extensionId && h.extensionOrigin.endsWith(h.extensionId));
    const perm = await h.evalBackground(async () => {
      const api = globalThis.browser ?? globalThis.chrome;
      return api.permissions.contains({ origins: ['<all_urls>'] });
    });
    check(`${kind}: host permission <all_urls> granted`, perm === true, String(perm));
    const marker = `m-${Date.now()}`;
    await h.evalBackground(async (m) => {
      const api = globalThis.browser ?? globalThis.chrome;
      await api.storage.local.set({ selftestMarker: m });
    }, marker);
    const page = await loadAndCheck(h, `${kind}+ext`, { expectDummy: true });
    await h.screenshot(page, `selftest/${kind}-site.png`);
    await page.goto(h.url('site.test', '/demo'));
    await page.waitForFunction(() => document.title === 'ready', { timeout: 10000 });
    await h.screenshot(page, `selftest/${kind}-demo.png`, { fullPage: true });
    t = Date.now();
    await h.close();
    h = null;
    console.log(`  close: ${ms(t)}`);

    // 2. restart with the same profile
    t = Date.now();
    h = await launch({ extensionDir: extDir, profileDir, port: web.port });
    console.log(`  relaunch (same profile): ${ms(t)}`);
    t = Date.now();
    // crumbwallReady is still true from the first run: wait for this run's startedAt instead.
    await waitForExtensionReady(h, { key: 'startedAt', predicate: (v) => v >= h.launchedAt });
    console.log(`  extension ready after ${ms(t)}`);
    const after = await h.evalBackground(async () => {
      const api = globalThis.browser ?? globalThis.chrome;
      return api.storage.local.get(['selftestMarker', 'startCount']);
    });
    check(`${kind}: storage.local survives restart`, after.selftestMarker === marker, JSON.stringify(after));
    check(`${kind}: background ran again after restart (startCount 2)`, after.startCount === 2, JSON.stringify(after));
    if (kind === 'chromium') {
      // The worker may get stopped; evalBackground must restart it.
      const p = await h.newPage();
      const s = await p.createCDPSession();
      await s.send('ServiceWorker.enable');
      await s.send('ServiceWorker.stopAllWorkers');
      await p.close();
      t = Date.now();
      const v = await h.evalBackground(() => 'alive');
      check('chromium: evalBackground after the worker was stopped', v === 'alive');
      console.log(`  evalBackground after stopping the worker: ${ms(t)}`);
    }
    const page2 = await loadAndCheck(h, `${kind}+ext restarted`, { expectDummy: true });
    await page2.close();
    await h.close();
    h = null;

    // 3. control run, no extension
    t = Date.now();
    h = await launch({ extensionDir: null, profileDir: path.join(tmp, `${kind}-control`), port: web.port });
    console.log(`  launch control (no extension): ${ms(t)}`);
    await loadAndCheck(h, `${kind} control`, { expectDummy: false });
    await h.close();
    h = null;
  } catch (e) {
    failed++;
    console.log(`  FAIL ${kind}: ${e.stack || e}`);
  } finally {
    if (h) await h.close();
  }
}

try {
  for (const kind of ['chromium', 'firefox']) {
    if (!only || only === kind) await runBrowser(kind);
  }
} finally {
  await web.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`\nselftest total ${((Date.now() - T0) / 1000).toFixed(1)} s; screenshots in tests/artifacts/selftest/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
