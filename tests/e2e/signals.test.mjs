// Do Not Track + Global Privacy Control, end to end in the browser under test
// (CRUMBWALL_E2E_BROWSER), checked on what crossed the wire (the test web's log).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, freshProfile, launch, visit, openPopup, openOptions, eventually, blockingOff } from './lib/fixture.mjs';

let web;
before(async () => {
  web = await startTestWeb();
});
after(async () => {
  await web?.close();
});

/** Requests of one page load, by kind, excluding the browser's own favicon fetch. */
function pageRequests() {
  return web.log.filter((e) => e.path !== '/favicon.ico');
}

const KINDS = ['document', 'image', 'script', 'xhr', 'iframe'];

function assertEveryRequestSignals(label) {
  const reqs = pageRequests();
  const kinds = new Set(reqs.map((e) => e.kind));
  for (const k of KINDS) assert.ok(kinds.has(k), `${label}: saw a ${k} request (kinds: ${[...kinds]})`);
  const hosts = new Set(reqs.map((e) => e.host));
  for (const h of ['ads.test', 'analytics.test', 'social.test', 'pixel.test']) assert.ok(hosts.has(h), `${label}: ${h} was requested`);
  const missing = reqs.filter((e) => e.headers.dnt !== '1' || e.headers.secGpc !== '1');
  assert.deepEqual(missing.map((e) => `${e.kind} ${e.host}${e.url} dnt=${e.headers.dnt} gpc=${e.headers.secGpc}`), [], `${label}: every request carries DNT: 1 and Sec-GPC: 1`);
}

function assertNoRequestSignals(label) {
  const reqs = pageRequests();
  assert.ok(reqs.length >= 10, `${label}: the page and its resources loaded (${reqs.length} requests)`);
  const leaked = reqs.filter((e) => e.headers.dnt !== undefined || e.headers.secGpc !== undefined);
  assert.deepEqual(leaked.map((e) => `${e.host}${e.url}`), [], `${label}: no request carries DNT or Sec-GPC`);
}

function probe(frame) {
  return web.probes().find((p) => p.frame === frame);
}

test(`${BROWSER}: control run without the extension sends no signals`, async () => {
  const h = await launch(web, { profileDir: freshProfile('control'), extension: false });
  try {
    web.clear();
    await visit(h, web, 'site.test');
    assertNoRequestSignals('control');
    for (const f of ['top', 'same', 'social']) {
      const p = probe(f);
      assert.ok(p, `control: probe ${f} arrived`);
      assert.notEqual(p.dnt, '1', `control: ${f} frame sees no navigator.doNotTrack "1"`);
      assert.notEqual(p.gpc, 'true', `control: ${f} frame sees no navigator.globalPrivacyControl`);
    }
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: signals on every request and in every frame, per-site exception, survives restart`, async (t) => {
  const profileDir = freshProfile('signals');
  let h = await launch(web, { profileDir });
  // Blocking off, so that every kind of third-party request is made and can be checked for the
  // headers (the blocking suite covers blocked requests; signals reach the allowed ones).
  await blockingOff(h);
  try {
    await t.test('defaults: headers on document, image, script, XHR and iframe requests; properties in page and iframes', async () => {
      web.clear();
      await visit(h, web, 'site.test');
      assertEveryRequestSignals('site.test');
      for (const f of ['top', 'same', 'social']) {
        const p = probe(f);
        assert.ok(p, `probe ${f} arrived`);
        assert.equal(p.dnt, '1', `${f} frame: navigator.doNotTrack in the first head script`);
        assert.equal(p.gpc, 'true', `${f} frame: navigator.globalPrivacyControl in the first head script`);
      }
      const popup = await openPopup(h, 'site.test');
      assert.equal(await popup.$eval('#site', (e) => e.textContent), 'site.test');
      assert.equal(await popup.$eval('#signals-site', (e) => e.checked), true);
      assert.match(await popup.$eval('#signals-state', (e) => e.className), /\bon\b/);
      // Blocking is off in this suite: the popup must not claim trackers are blocked.
      assert.match(await popup.$eval('#protection-state', (e) => e.textContent), /nothing is blocked|Nichts wird blockiert/);
      await h.screenshot(popup, `${BROWSER}/popup-signals-on.png`);
      await popup.close();
    });

    await t.test('the popup toggles an exception for news.test: no headers, no properties there; site.test unaffected', async () => {
      await visit(h, web, 'news.test');
      const popup = await openPopup(h, 'news.test');
      assert.equal(await popup.$eval('#site', (e) => e.textContent), 'news.test');
      await popup.click('#signals-site');
      await popup.waitForFunction(() => document.querySelector('#signals-state').classList.contains('off'), { timeout: 5000 });
      await h.screenshot(popup, `${BROWSER}/popup-signals-excepted.png`);
      await popup.close();
      const settings = await h.evalBackground(async () => {
        const api = globalThis.browser ?? globalThis.chrome;
        return JSON.parse((await api.storage.local.get('settings')).settings);
      });
      assert.deepEqual(settings.signals.exceptions, ['news.test']);

      // The exception takes effect for new page loads.
      await eventually(async () => {
        web.clear();
        await visit(h, web, 'news.test');
        return pageRequests().every((e) => e.headers.dnt === undefined && e.headers.secGpc === undefined);
      }, { timeout: 8000, what: 'news.test requests without signals' });
      assertNoRequestSignals('news.test (excepted)');
      assert.ok(pageRequests().some((e) => e.host === 'ads.test'), 'third-party requests of the excepted site were made');
      for (const f of ['top', 'same']) {
        const p = probe(f);
        assert.ok(p, `news.test probe ${f} arrived`);
        assert.notEqual(p.dnt, '1', `news.test ${f} frame: no navigator.doNotTrack "1"`);
        assert.notEqual(p.gpc, 'true', `news.test ${f} frame: no navigator.globalPrivacyControl`);
      }

      web.clear();
      await visit(h, web, 'site.test');
      assertEveryRequestSignals('site.test after the news.test exception');
      assert.equal(probe('top').gpc, 'true');
    });

    await t.test('the options page lists the exception and rejects a malformed entry', async () => {
      const options = await openOptions(h);
      const sites = await options.$$eval('#exception-list .site-name', (els) => els.map((e) => e.textContent));
      assert.deepEqual(sites, ['news.test']);
      await options.type('#exception-input', 'co.uk');
      await options.click('#exception-form button[type=submit]');
      await options.waitForFunction(() => document.querySelector('#exception-error').textContent.length > 0, { timeout: 5000 });
      assert.match(await options.$eval('#exception-error', (e) => e.textContent), /public suffix/);
      assert.deepEqual(await options.$$eval('#exception-list .site-name', (els) => els.map((e) => e.textContent)), ['news.test']);
      await h.screenshot(options, `${BROWSER}/options-signals.png`, { fullPage: true });
      await options.close();
    });

    await t.test('the service worker stopped between two page loads: signals and the exception still apply', { skip: BROWSER !== 'chromium' && 'Chromium only: Firefox has no way to stop an event page from a test' }, async () => {
      const page = await h.browser.newPage();
      const cdp = await page.createCDPSession();
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await page.close();
      web.clear();
      await visit(h, web, 'site.test');
      assertEveryRequestSignals('site.test after the worker stopped');
      web.clear();
      await visit(h, web, 'news.test');
      assertNoRequestSignals('news.test after the worker stopped');
      assert.notEqual(probe('top').gpc, 'true');
    });

    await t.test('the exception survives a browser restart with the same profile', async () => {
      await h.close();
      h = await launch(web, { profileDir });
      web.clear();
      await visit(h, web, 'news.test');
      assertNoRequestSignals('news.test after restart');
      assert.notEqual(probe('top').gpc, 'true');
      web.clear();
      await visit(h, web, 'site.test');
      assertEveryRequestSignals('site.test after restart');
    });

    await t.test('the global switch in the options turns both signals off everywhere, and back on', async () => {
      const options = await openOptions(h);
      await options.click('#signals-enabled');
      await options.waitForFunction(() => document.querySelector('#signals-enabled').checked === false, { timeout: 5000 });
      await options.close();
      await eventually(async () => {
        web.clear();
        await visit(h, web, 'site.test');
        return pageRequests().every((e) => e.headers.dnt === undefined && e.headers.secGpc === undefined);
      }, { timeout: 8000, what: 'site.test requests without signals' });
      assertNoRequestSignals('signals off globally');
      assert.notEqual(probe('top').gpc, 'true');
      assert.notEqual(probe('social').dnt, '1');
      const popup = await openPopup(h, 'site.test');
      assert.match(await popup.$eval('#signals-state', (e) => e.textContent), /options|Einstellungen/);
      await popup.close();
      const again = await openOptions(h);
      await again.click('#signals-enabled');
      await again.waitForFunction(() => document.querySelector('#signals-enabled').checked === true, { timeout: 5000 });
      await again.close();
      await eventually(async () => {
        web.clear();
        await visit(h, web, 'site.test');
        return pageRequests().every((e) => e.headers.dnt === '1');
      }, { timeout: 8000, what: 'signals back on' });
      assertEveryRequestSignals('signals back on');
    });

    await t.test('a corrupt settings blob is kept as a backup, defaults are used, and the popup says so', async () => {
      await h.evalBackground(async () => {
        const api = globalThis.browser ?? globalThis.chrome;
        await api.storage.local.set({ settings: '{"version":1,"signals":{"enabled":fa' });
      });
      await h.close();
      h = await launch(web, { profileDir });
      const stored = await h.evalBackground(async () => {
        const api = globalThis.browser ?? globalThis.chrome;
        return api.storage.local.get(['settings', 'settingsBackups', 'settingsProblems']);
      });
      assert.equal(stored.settingsBackups.at(-1).blob, '{"version":1,"signals":{"enabled":fa');
      assert.match(stored.settingsProblems.problems[0], /not valid JSON/);
      assert.deepEqual(JSON.parse(stored.settings).signals, { enabled: true, exceptions: [] });
      await visit(h, web, 'site.test');
      const popup = await openPopup(h, 'site.test');
      assert.equal(await popup.$eval('#problems', (e) => e.hidden), false);
      assert.match(await popup.$eval('#problem-list', (e) => e.textContent), /not valid JSON/);
      await h.screenshot(popup, `${BROWSER}/popup-settings-problem.png`);
      await popup.close();
    });
  } finally {
    await h.close();
  }
});
