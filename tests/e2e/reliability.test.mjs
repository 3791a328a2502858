// Reliability end to end, in the browser under test, checked on the test web's log:
// - Firefox: the event page's first script (early.js) compiles the core while the rest loads;
//   a copy whose early compile fails still starts and blocks;
// - a stopped background (Chromium: the service worker stopped, as when idle; Firefox: the event
//   page unloaded after a short idle timeout) comes back: blocking never lapses, the tab's
//   counters survive, and the background that answers is a fresh one;
// - settings survive the worker being stopped in the middle of writes (Chromium);
// - the allow list survives a browser restart and an extension update (same profile);
// - a web page cannot make the extension do anything by posting messages;
// - a burst of 5,000 requests and 1,000 cookies: no decision dropped, and the popup still opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BROWSER, EXTENSION_DIR, freshProfile, launch, visit, message, openPopup, eventually, tabIdFor, stopChromiumWorker, resumeChromiumWorker } from './lib/fixture.mjs';
import { gotoAndWaitTitle } from './lib/browsers.mjs';

const BURST_REQUESTS = 5000;
const BURST_COOKIES = 1000;

let web;
before(async () => {
  web = await startTestWeb({
    extraRoutes: {
      publisher: {
        // Half the requests to a tracker (blocked), half first-party (must all arrive), then
        // BURST_COOKIES advertising cookies (`_gcl_<i>`, refused by the default policy).
        '/burst': {
          kind: 'document',
          handler: (ctx) => {
            const port = ctx.req.socket.localPort;
            ctx.send(200, 'text/html; charset=utf-8', `<!doctype html><title>loading</title><script>
  const total = ${BURST_REQUESTS};
  let done = 0;
  const finish = () => { if (++done === total) { for (let i = 0; i < ${BURST_COOKIES}; i++) document.cookie = '_gcl_' + i + '=1; path=/; max-age=3600'; document.title = 'ready'; } };
  for (let i = 0; i < total; i++) {
    const img = new Image();
    img.onload = img.onerror = finish;
    img.src = i % 2 ? 'http://ads.test:${port}/b/' + i + '.gif' : '/static/b' + i + '.png';
  }
</script>`);
          },
        },
        // A page that tries to drive the extension with messages.
        '/hostile': {
          kind: 'document',
          handler: (ctx) => {
            ctx.send(200, 'text/html; charset=utf-8', `<!doctype html><title>loading</title><script>
  const attempts = [
    { type: 'setProtection', site: 'site.test', on: false },
    { type: 'setCategory', category: 'advertising', on: false },
    { type: 'setCookieRule', purpose: 'advertising', rule: 'allow' },
    { type: 'importSettings', text: '{"version":4,"allowlist":["site.test"]}' },
    { type: 'init', url: location.href },
  ];
  for (const m of attempts) { window.postMessage(m, '*'); window.top.postMessage(m, '*'); }
  let runtime = 'absent';
  try {
    if (globalThis.chrome?.runtime?.sendMessage) {
      runtime = 'present';
      for (const m of attempts) globalThis.chrome.runtime.sendMessage(m);
    }
  } catch (e) { runtime = 'refused: ' + e.message; }
  document.title = 'ready:' + runtime;
</script>`);
          },
        },
      },
    },
  });
});
after(async () => {
  await web?.close();
});

/** Firefox: the event page's marker, through the extension page the harness evaluates in. */
function firefoxMarker(h, set) {
  return h.evalBackground(async (s) => {
    const bg = await browser.runtime.getBackgroundPage();
    if (s) bg.__beforeStop = true;
    return bg.__beforeStop ?? null;
  }, set);
}

async function popupCounts(h, host) {
  const popup = await openPopup(h, host);
  try {
    return await popup.evaluate(() => Number(document.getElementById('blocked-total').textContent));
  } finally {
    await popup.close();
  }
}

test(`${BROWSER}: a stopped background comes back: blocking holds, counters survive`, async () => {
  // Firefox unloads an idle event page after extensions.background.idle.timeout (30 s by default).
  const h = await launch(web, { profileDir: freshProfile('restart'), firefoxPrefs: { 'extensions.background.idle.timeout': 1500 } });
  try {
    web.clear();
    const page = await visit(h, web, 'site.test', '/', { probes: ['top'] });
    assert.ok(!web.log.some((e) => e.host === 'ads.test'), 'before: ads.test blocked');
    const before = await eventually(async () => (await popupCounts(h, 'site.test')) || null, { what: 'blocked count' });
    const tabId = await tabIdFor(h, 'site.test');

    if (BROWSER === 'chromium') {
      await stopChromiumWorker(h);
    } else {
      await firefoxMarker(h, true);
      // Idle long enough for the event page to be unloaded.
      await new Promise((r) => setTimeout(r, 4000));
    }
    // The popup's message wakes the background, which restores the tab report.
    const popup = await h.openExtensionPage(`extension/popup/popup.html?tabId=${tabId}`);
    if (BROWSER === 'chromium') await resumeChromiumWorker(h);
    await popup.waitForSelector('body[data-ready]', { timeout: 10000 });
    const after = await popup.evaluate(() => Number(document.getElementById('blocked-total').textContent));
    await popup.close();
    assert.equal(after, before, `the tab's blocked count survives the restart (${before} -> ${after})`);
    const marker = BROWSER === 'chromium' ? await h.evalBackground(() => globalThis.__beforeStop ?? null) : await firefoxMarker(h, false);
    assert.equal(marker, null, 'the background that answered is a restarted one');

    // And blocking holds on the next page load.
    web.clear();
    await gotoAndWaitTitle(page, h.url('site.test', '/page'));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(web.log.some((e) => e.host === 'site.test' && e.path === '/static/app.js'), 'after: first-party loads');
    assert.ok(!web.log.some((e) => e.host === 'ads.test' || e.host === 'analytics.test'), 'after: trackers still blocked');
    await page.close();
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: the event page compiles the core from its first script, and starts without it`, { skip: BROWSER !== 'firefox' && 'Firefox only: early.js is the event page\'s first script; Chromium\'s service worker is main.js alone' }, async () => {
  const blocks = async (h) => {
    web.clear();
    const page = await visit(h, web, 'site.test', '/', { probes: ['top'] });
    await page.close();
    assert.ok(web.log.some((e) => e.host === 'site.test' && e.path === '/static/app.js'), 'first party loads');
    assert.ok(!web.log.some((e) => e.host === 'ads.test'), 'ads.test blocked');
  };
  // As built: early.js's compiled module is what the core was instantiated from.
  const h = await launch(web, { profileDir: freshProfile('early') });
  try {
    const early = await h.evalBackground(async () => {
      const bg = await browser.runtime.getBackgroundPage();
      const e = bg.crumbwallEarly;
      if (!e) return null;
      return { wasm: Object.prototype.toString.call(await e.wasm), settings: typeof (await e.settings), used: e.used ?? false };
    });
    assert.deepEqual(early, { wasm: '[object WebAssembly.Module]', settings: 'object', used: true });
    await blocks(h);
  } finally {
    await h.close();
  }
  // A copy whose early.js cannot fetch the module: the core is fetched again and blocking works.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crumbwall-early-broken-'));
  try {
    fs.cpSync(EXTENSION_DIR, dir, { recursive: true });
    const early = path.join(dir, 'extension', 'background', 'early.js');
    const text = fs.readFileSync(early, 'utf8');
    assert.ok(text.includes("'extension/pkg/crumbwall_wasm_bg.wasm'"), 'early.js names the module');
    fs.writeFileSync(early, text.replace("'extension/pkg/crumbwall_wasm_bg.wasm'", "'extension/pkg/missing.wasm'"));
    const b = await launch(web, { profileDir: freshProfile('early-broken'), extensionDir: dir });
    try {
      const failed = await b.evalBackground(async () => {
        const bg = await browser.runtime.getBackgroundPage();
        return { failed: await bg.crumbwallEarly.wasm.then(() => false, () => true), used: bg.crumbwallEarly.used ?? false };
      });
      assert.deepEqual(failed, { failed: true, used: false }, 'the early compile failed in the broken copy, and the core came another way');
      await blocks(b);
    } finally {
      await b.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test(`${BROWSER}: settings survive the background being stopped during writes`, { skip: BROWSER !== 'chromium' && 'Firefox has no way to stop the event page in the middle of a message' }, async () => {
  const h = await launch(web, { profileDir: freshProfile('writes') });
  try {
    const kept = ['kept-a.test', 'kept-b.test', 'kept-c.test'];
    for (const site of kept) await message(h, { type: 'setProtection', site, on: false });
    const options = await h.openExtensionPage('extension/options/options.html');
    await options.waitForSelector('body[data-ready]');
    const racing = [];
    for (let i = 0; i < 8; i++) {
      const site = `race-${i}.test`;
      racing.push(site);
      // Fire the write from the options page and stop the worker while it runs.
      options.evaluate((s) => { (globalThis.browser ?? globalThis.chrome).runtime.sendMessage({ type: 'setProtection', site: s, on: false }).catch(() => {}); }, site);
      await new Promise((r) => setTimeout(r, i * 3));
      await stopChromiumWorker(h);
      await resumeChromiumWorker(h);
    }
    await options.close();
    await resumeChromiumWorker(h).catch(() => {});
    const state = await h.evalBackground(async () => {
      const api = globalThis.chrome;
      return api.storage.local.get(['settings', 'settingsProblems']);
    });
    const settings = JSON.parse(state.settings);
    assert.equal(state.settingsProblems, undefined, 'the stored settings load without problems');
    for (const site of kept) assert.ok(settings.allowlist.includes(site), `${site} (written before) is still allowed`);
    for (const site of settings.allowlist) assert.ok(kept.includes(site) || racing.includes(site), `no stray entry ${site}`);
    console.log(`# ${racing.filter((s) => settings.allowlist.includes(s)).length} of ${racing.length} interrupted writes landed; every stored blob was whole`);
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: a web page cannot drive the extension with messages`, async () => {
  const h = await launch(web, { profileDir: freshProfile('hostile') });
  try {
    const before = await message(h, { type: 'getSettings' });
    const page = await h.newPage();
    await page.goto(h.url('site.test', '/hostile'));
    await page.waitForFunction(() => document.title.startsWith('ready'), { timeout: 10000 });
    const title = await page.title();
    await new Promise((r) => setTimeout(r, 500));
    const afterSettings = await message(h, { type: 'getSettings' });
    assert.deepEqual(afterSettings, before, `settings unchanged (page saw chrome.runtime: ${title})`);
    web.clear();
    await gotoAndWaitTitle(page, h.url('site.test', '/'));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!web.log.some((e) => e.host === 'ads.test'), 'protection still on for the site');
    await page.close();
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: a burst of ${BURST_REQUESTS} requests and ${BURST_COOKIES} cookies: no decision dropped`, async () => {
  const h = await launch(web, { profileDir: freshProfile('burst') });
  try {
    web.clear();
    const page = await h.newPage();
    await page.goto(h.url('site.test', '/burst'), { timeout: 120000 });
    await page.waitForFunction(() => document.title === 'ready', { timeout: 120000 });
    await new Promise((r) => setTimeout(r, 500));
    const first = web.log.filter((e) => e.host === 'site.test' && e.path.startsWith('/static/b')).length;
    const tracker = web.log.filter((e) => e.host === 'ads.test').length;
    console.log(`# burst: ${first} first-party requests arrived, ${tracker} tracker requests arrived`);
    assert.equal(first, BURST_REQUESTS / 2, 'every first-party request arrived');
    assert.equal(tracker, 0, 'no tracker request got through');
    // Every refused cookie is removed (the browser itself keeps at most ~180 per site).
    const left = await eventually(async () => {
      const all = await h.browser.cookies();
      const n = all.filter((c) => c.name.startsWith('_gcl_')).length;
      return n === 0 ? 'none' : null;
    }, { timeout: 30000, what: 'advertising cookies removed' }).catch(() => 'some');
    assert.equal(left, 'none', 'no advertising cookie of the burst is left');
    const t0 = Date.now();
    const popup = await openPopup(h, 'site.test');
    const openMs = Date.now() - t0;
    const blocked = await popup.evaluate(() => Number(document.getElementById('blocked-total').textContent));
    await popup.close();
    console.log(`# burst: popup ready in ${openMs} ms, badge count ${blocked}`);
    assert.ok(blocked >= BURST_REQUESTS / 2, `the popup counts every blocked request (${blocked})`);
    assert.ok(openMs < 5000, `the popup still opens (${openMs} ms)`);
    assert.ok(await tabIdFor(h, 'site.test'));
    await page.close();
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: the allow list survives a browser restart and an extension update`, async () => {
  // A copy of the build, so its version can be bumped in place (Chromium names an unpacked
  // extension by its directory: same directory, same extension, as for a real update).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-${BROWSER}-update-`));
  fs.cpSync(EXTENSION_DIR, dir, { recursive: true });
  const profileDir = freshProfile('update');
  const allowlist = async (h) => (await message(h, { type: 'getSettings' })).allowlist;
  const trackersLoad = async (h) => {
    web.clear();
    const page = await visit(h, web, 'site.test', '/', { probes: ['top'] });
    await new Promise((r) => setTimeout(r, 300));
    await page.close();
    return web.log.some((e) => e.host === 'ads.test');
  };
  let h = await launch(web, { profileDir, extensionDir: dir });
  try {
    await message(h, { type: 'setProtection', site: 'site.test', on: false });
    await message(h, { type: 'setProtection', site: 'news.test', on: false });
    assert.deepEqual(await allowlist(h), ['news.test', 'site.test']);
  } finally {
    await h.close();
  }
  h = await launch(web, { profileDir, extensionDir: dir });
  try {
    assert.deepEqual(await allowlist(h), ['news.test', 'site.test'], 'after a browser restart');
    assert.ok(await trackersLoad(h), 'and the site is still allowed (its trackers load)');
  } finally {
    await h.close();
  }
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const before = manifest.version;
  manifest.version = `${before}.1`;
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  h = await launch(web, { profileDir, extensionDir: dir });
  try {
    const version = await h.evalBackground(() => (globalThis.browser ?? globalThis.chrome).runtime.getManifest().version);
    assert.equal(version, `${before}.1`, 'the updated version runs');
    assert.deepEqual(await allowlist(h), ['news.test', 'site.test'], 'after an extension update');
    assert.ok(await trackersLoad(h), 'and the site is still allowed after the update');
  } finally {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
