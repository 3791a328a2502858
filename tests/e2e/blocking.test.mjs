// Tracker blocking by category, the per-site allow list, the badge and the popup's report,
// end to end in the browser under test, checked on the test web's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, EXTENSION_DIR, freshProfile, launch, visit, openPopup, openOptions, tabIdFor, eventually } from './lib/fixture.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { initSync, Crumbwall } from '../../extension/pkg/crumbwall_wasm.js';

initSync({ module: fs.readFileSync(path.join(EXTENSION_DIR, 'extension/pkg/crumbwall_wasm_bg.wasm')) });
const BLOCKER = fs.readFileSync(path.join(EXTENSION_DIR, 'extension/engine/blocker.bin'));

/**
 * Which requests the engine blocks with only the given categories on. Real lists overlap (a
 * generic EasyPrivacy rule can also catch an ad path), so what a switch lets through is asked of
 * the engine, and the browser must then agree with it.
 */
function engineBlocks(enabled, host, p, type, query = '') {
  const blocking = Object.fromEntries(['advertising', 'statistical', 'social'].map((c) => [c, enabled.includes(c)]));
  const core = new Crumbwall(JSON.stringify({ version: 1, blocking }));
  core.loadBlocker(BLOCKER);
  const page = 'http://site.test/';
  const code = core.decide(`http://${host}${p}${query}`, page, type, page);
  core.free();
  // Cancelled: 16..31 blocked by a category, 48..55 a blocked pixel (core `Outcome::code`).
  return (code >= 16 && code < 32) || (code >= 48 && code < 56);
}

let web;
before(async () => {
  web = await startTestWeb();
});
after(async () => {
  await web?.close();
});

/** The requests each tracker embed makes directly from the page (its own dependents aside). */
const EMBEDS = {
  advertising: [['ads.test', '/ads.js', 'script'], ['pixel.test', '/p.gif', 'image', '?uid=123&ev=pageview']],
  statistical: [['analytics.test', '/analytics.js', 'script']],
  social: [['social.test', '/widget/like', 'sub_frame']],
};
const ALL_EMBEDS = Object.values(EMBEDS).flat();
const FIRST_PARTY = ['/', '/static/site.css', '/static/app.js', '/static/logo.png', '/api/data', '/frame'];

function arrived(host, path) {
  return web.log.some((e) => e.host === host && e.path === path);
}

function assertFirstPartyLoads(host, label) {
  for (const p of FIRST_PARTY) assert.ok(arrived(host, p), `${label}: first-party ${host}${p} loaded`);
}

async function load(h, host = 'site.test') {
  web.clear();
  const page = await visit(h, web, host, '/', { probes: ['top', 'same'] });
  return page;
}

async function setCategory(h, category, on) {
  const options = await openOptions(h);
  const box = `#cat-${category}`;
  if ((await options.$eval(box, (e) => e.checked)) !== on) {
    await options.click(box);
    await options.waitForFunction((sel, want) => document.querySelector(sel).checked === want, {}, box, on);
  }
  const stored = await h.evalBackground(async () => JSON.parse((await (globalThis.browser ?? globalThis.chrome).storage.local.get('settings')).settings));
  assert.equal(stored.blocking[category], on, `settings record ${category} = ${on}`);
  await options.close();
}

test(`${BROWSER}: control run without the extension: every tracker reaches the server`, async () => {
  const h = await launch(web, { profileDir: freshProfile('block-control'), extension: false });
  try {
    await load(h);
    for (const [cat, embeds] of Object.entries(EMBEDS)) {
      for (const [host, p] of embeds) assert.ok(arrived(host, p), `control: ${cat} ${host}${p} arrived`);
    }
    assert.ok(arrived('ads.test', '/banner.png') && arrived('analytics.test', '/collect'), 'control: tracker scripts ran');
    assertFirstPartyLoads('site.test', 'control');
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: trackers blocked by category, switches, allow list, badge and popup`, async (t) => {
  const h = await launch(web, { profileDir: freshProfile('blocking') });
  try {
    await t.test('defaults block all three categories; first party loads; badge and popup count what is missing', async () => {
      const page = await load(h);
      const missing = [];
      for (const [cat, embeds] of Object.entries(EMBEDS)) {
        for (const [host, p] of embeds) {
          assert.ok(!arrived(host, p), `${cat} ${host}${p} blocked`);
          missing.push(`${host}${p}`);
        }
      }
      for (const host of ['ads.test', 'analytics.test', 'social.test', 'pixel.test']) {
        assert.ok(!web.log.some((e) => e.host === host), `nothing reached ${host}`);
      }
      assertFirstPartyLoads('site.test', 'defaults');
      if (BROWSER === 'chromium') {
        // The blocked social widget frame is an empty document (the blocked-frame rulesets), not
        // the browser's error page; the server log above shows it was never requested.
        const frames = page.frames().filter((f) => f !== page.mainFrame() && f.parentFrame() === page.mainFrame());
        assert.deepEqual(frames.map((f) => f.url()).sort(), ['about:blank', h.url('site.test', '/frame')].sort(), 'the like widget frame is about:blank');
      }
      const unsignalled = web.log.filter((e) => e.path !== '/favicon.ico' && (e.headers.dnt !== '1' || e.headers.secGpc !== '1'));
      assert.deepEqual(unsignalled.map((e) => e.host + e.url), [], 'DNT/GPC on every request that was let through');
      const tabId = await tabIdFor(h, 'site.test');
      const badge = await eventually(async () => {
        const text = await h.evalBackground(async (id) => (globalThis.browser ?? globalThis.chrome).action.getBadgeText({ tabId: id }), tabId);
        return text === String(missing.length) ? text : null;
      }, { what: `badge ${missing.length}` });
      assert.equal(badge, String(missing.length), 'badge = requests missing from the server log');
      const popup = await openPopup(h, 'site.test');
      assert.equal(await popup.$eval('#blocked-total', (e) => e.textContent), String(missing.length));
      const counts = await popup.$$eval('#counts li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.category, li.querySelector('b').textContent])));
      // pixel.test/p.gif is an advertising pixel: it counts under Pixels.
      assert.deepEqual(counts, { advertising: '1', statistical: '1', social: '1', pixels: '1', links: '0' });
      const rows = await popup.$$eval('#hosts tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.host, tr.dataset.action])));
      for (const host of ['ads.test', 'analytics.test', 'social.test', 'pixel.test']) assert.equal(rows[host], 'blocked', `popup lists ${host} as blocked`);
      assert.equal(await popup.$eval('#protection-site', (e) => e.checked), true);
      await popup.$eval('#trackers', (d) => { d.open = true; });
      await h.screenshot(popup, `${BROWSER}/popup-blocking.png`);
      await popup.close();
      await page.close();
    });

    for (const cat of Object.keys(EMBEDS)) {
      await t.test(`turning ${cat} off lets through what no other category blocks`, async () => {
        const others = Object.keys(EMBEDS).filter((c) => c !== cat);
        const expectLoaded = ALL_EMBEDS.filter(([host, p, type, query]) => !engineBlocks(others, host, p, type, query));
        // Non-vacuous: the switch must free at least one of its own trackers.
        assert.ok(EMBEDS[cat].some((e) => expectLoaded.includes(e)), `turning ${cat} off frees one of its trackers`);
        await setCategory(h, cat, false);
        try {
          await eventually(async () => {
            await load(h);
            return expectLoaded.every(([host, p]) => arrived(host, p));
          }, { timeout: 8000, what: `${cat} trackers to load` });
          for (const [host, p] of ALL_EMBEDS) {
            const loaded = expectLoaded.some(([eh, ep]) => eh === host && ep === p);
            assert.equal(arrived(host, p), loaded, `${host}${p} ${loaded ? 'loads' : 'stays blocked'} with ${cat} off`);
          }
          assertFirstPartyLoads('site.test', `${cat} off`);
        } finally {
          await setCategory(h, cat, true);
        }
        await eventually(async () => {
          await load(h);
          return ALL_EMBEDS.every(([host, p]) => !arrived(host, p));
        }, { timeout: 8000, what: `${cat} trackers blocked again` });
      });
    }

    await t.test('"Protection on this site" off: the site loads everything after reload; other sites stay protected', async () => {
      await load(h);
      const popup = await openPopup(h, 'site.test');
      await popup.click('#protection-site');
      await popup.waitForFunction(() => document.querySelector('#protection-site').checked === false, { timeout: 5000 });
      await popup.close();
      await eventually(async () => {
        await load(h);
        return ALL_EMBEDS.every(([host, p]) => arrived(host, p));
      }, { timeout: 8000, what: 'allow-listed site to load its trackers' });
      assert.ok(arrived('ads.test', '/banner.png') && arrived('analytics.test', '/collect'));
      // The signal headers outrank the allow-list rule: an allowed site still gets DNT and GPC.
      const unsignalled = web.log.filter((e) => e.path !== '/favicon.ico' && (e.headers.dnt !== '1' || e.headers.secGpc !== '1'));
      assert.deepEqual(unsignalled.map((e) => e.host + e.url), [], 'DNT/GPC also on an allow-listed site');
      const popup2 = await openPopup(h, 'site.test');
      await new Promise((r) => setTimeout(r, 400));
      const saved = await h.evalBackground(async () => (globalThis.browser ?? globalThis.chrome).storage.session.get('tabs'));
      const blockedUrls = Object.values(saved.tabs ?? {}).flatMap((t) => Object.keys(t.blockedUrls ?? {}));
      const rows = await popup2.$$eval('#hosts tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.host, tr.dataset.action])));
      assert.equal(await popup2.$eval('#blocked-total', (e) => e.textContent), '0', `nothing blocked on an allow-listed site (${JSON.stringify(rows)} ${JSON.stringify(blockedUrls)})`);
      assert.equal(rows['ads.test'], 'allowed-by-site', 'popup: ads.test allowed by the site exception');
      await popup2.$eval('#trackers', (d) => { d.open = true; });
      await h.screenshot(popup2, `${BROWSER}/popup-protection-off.png`);
      await popup2.close();
      await load(h, 'news.test');
      assert.ok(!arrived('ads.test', '/ads.js'), 'news.test is still protected');
      assertFirstPartyLoads('news.test', 'news.test');
    });

    await t.test('options: the allow list is listed, searchable, and a malformed import changes nothing', async () => {
      const options = await openOptions(h);
      assert.deepEqual(await options.$$eval('#allow-list .site-name', (els) => els.map((e) => e.textContent)), ['site.test']);
      await options.type('#allow-input', 'https://www.shop.test/cart');
      await options.click('#allow-form button[type=submit]');
      await options.waitForFunction(() => document.querySelectorAll('#allow-list li').length === 2);
      await options.type('#allow-search', 'shop');
      await options.waitForFunction(() => document.querySelectorAll('#allow-list li').length === 1);
      assert.equal(await options.$eval('#allow-list .site-name', (e) => e.textContent), 'shop.test');
      const input = await options.$('#allow-import');
      const fs = await import('node:fs');
      const bad = `${freshProfile('import')}/bad.json`;
      fs.writeFileSync(bad, '["ok.test", "not a site!"]');
      await input.uploadFile(bad);
      await options.waitForFunction(() => document.querySelector('#allow-error').textContent.length > 0, { timeout: 5000 });
      assert.match(await options.$eval('#allow-error', (e) => e.textContent), /allowlist\[1\]/);
      const settings = await h.evalBackground(async () => JSON.parse((await (globalThis.browser ?? globalThis.chrome).storage.local.get('settings')).settings));
      assert.deepEqual(settings.allowlist, ['shop.test', 'site.test'], 'a bad import changed nothing');
      await h.screenshot(options, `${BROWSER}/options-protection.png`, { fullPage: true });
      await options.close();
    });
  } finally {
    await h.close();
  }
});
