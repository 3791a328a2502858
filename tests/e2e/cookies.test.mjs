// Cookie policy, end to end in the browser under test, on the test web's `/cookies` page (first-
// and third-party cookies of every purpose, localStorage, IndexedDB; tests/web/README.md):
// - control run without the extension: every cookie is stored and sent back;
// - with the extension (blocking categories off, so the trackers' requests reach the server) and
//   the default cookie policy, the jar holds exactly what the defaults allow, and the next
//   requests carry exactly those cookies (server log);
// - changing a policy (`setCookieRule`) changes the outcome;
// - the popup's Cookies panel lists each cookie with its purpose and what happened to it, and
//   deletes a kept one;
// - "Forget this site" empties the site's cookies, localStorage and IndexedDB;
// - the `session` rule removes a site's cookies of that purpose once its last tab is closed.
// Everything runs over https (self-signed test web, certificate errors ignored): Chromium keeps
// third-party cookies only when `SameSite=None; Secure` and with its third-party blocking off
// (`launch({secure, thirdPartyCookies})`), so both browsers store them in the control run.
// The jar is read through the automation protocol (CDP / WebDriver BiDi `getCookies`, all
// partitions), not through the extension, so it is the same check with and without it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, freshProfile, launch, visit, message, openPopup, blockingOff, eventually, stopChromiumWorker, resumeChromiumWorker } from './lib/fixture.mjs';
import { gotoAndWaitTitle } from './lib/browsers.mjs';

const SITE = 'site.test';
const OTHER = 'news.test';

/** First-party cookies of `/cookies` and their purpose (as `crumbwall classify-cookie --site` says). */
const FIRST_PARTY = {
  session_id: 'technical',
  csrftoken: 'technical',
  lang: 'personalization',
  theme: 'personalization',
  cart: 'personalization',
  _ga: 'statistical',
  _gcl_au: 'advertising',
  _fbp: 'advertising',
  zq_flag: 'unknown',
};
/** Third-party cookies `/cookies` makes, per tracker host. */
const THIRD_PARTY = { 'ads.test': ['ad_id'], 'analytics.test': ['_ga'], 'social.test': ['social_uid'] };
const TRACKERS = Object.keys(THIRD_PARTY);

/** Default policy: technical, personalization allow; statistical first party only; advertising,
 * social block; unknown first party only. */
const KEPT_BY_DEFAULT = ['_ga', 'cart', 'csrftoken', 'lang', 'session_id', 'theme', 'zq_flag'];

const sorted = (a) => [...new Set(a)].sort();
const JAR_TIMEOUT = 10000;

let web;
before(async () => {
  web = await startTestWeb({ https: true });
});
after(async () => {
  await web?.close();
});

/** Launches the browser under test over https with third-party cookies as the browser allows them. */
function start(label, extension = true) {
  return launch(web, { profileDir: freshProfile(`cookies-${label}`), extension, secure: true, thirdPartyCookies: true });
}

/** Chromium: stops the service worker; returns whether it did (Firefox's event page is not stopped). */
async function stopBackground(h) {
  if (BROWSER !== 'chromium') return false;
  await stopChromiumWorker(h);
  return true;
}

/** Names in a Cookie header, sorted ([] for none). */
function cookieNames(header) {
  return header ? sorted(header.split(';').map((p) => p.split('=')[0].trim()).filter(Boolean)) : [];
}

/** The names of the cookies in the jar for exactly `host` (host-only or `.host`, any partition). */
async function jarNames(h, host) {
  const all = await h.browser.cookies();
  return sorted(all.filter((c) => c.domain.replace(/^\./, '') === host).map((c) => c.name));
}

/** Polls the jar until `pred(names)` holds for `host`; returns the names (assert on them after). */
async function jarEventually(h, host, pred, what) {
  let last = [];
  try {
    return await eventually(async () => { last = await jarNames(h, host); return pred(last) ? last : null; }, { timeout: JAR_TIMEOUT, what });
  } catch {
    return last;
  }
}

let seq = 0;
/** The Cookie header (as sorted names) of the next document request to `host`: loads `/plain`. */
async function nextCookieHeader(h, host) {
  const marker = `n=${++seq}`;
  const page = await h.newPage();
  try {
    await gotoAndWaitTitle(page, h.url(host, `/plain?${marker}`));
  } finally {
    await page.close();
  }
  const e = web.log.find((x) => x.host === host && x.path === '/plain' && x.query === marker);
  assert.ok(e, `the /plain request to ${host} reached the server`);
  return cookieNames(e.headers.cookie);
}

/** Loads `/cookies` on `host` (page left open); returns the log entries of that visit. */
async function visitCookies(h, host = SITE) {
  const since = web.log.length;
  const page = await visit(h, web, host, '/cookies', { probes: ['top', 'social'] });
  await new Promise((r) => setTimeout(r, 300)); // late tracker requests (banner image)
  return { page, entries: web.log.slice(since) };
}

/** `Cookie` headers the trackers received in these log entries: `[[host path, header]]`. */
function trackerCookieHeaders(entries) {
  return entries.filter((e) => TRACKERS.includes(e.host) && e.headers.cookie).map((e) => [`${e.host}${e.path}`, e.headers.cookie]);
}

/** What the page's own storage holds: localStorage keys and IndexedDB databases, seen from `/plain`. */
async function siteStorage(h, host) {
  const page = await h.newPage();
  try {
    await gotoAndWaitTitle(page, h.url(host, '/plain?storage'));
    return await page.evaluate(async () => ({ localStorage: localStorage.length, indexedDB: (await indexedDB.databases()).length }));
  } finally {
    await page.close();
  }
}

/** Closes every tab showing `host`. */
async function closeTabsOf(h, host) {
  for (const p of await h.browser.pages()) {
    let u;
    try { u = new URL(p.url()); } catch { continue; }
    if (u.hostname === host) await p.close();
  }
}

async function closeAllPages(pages) {
  for (const p of pages) await p?.close().catch(() => {});
}

test(`${BROWSER}: control run without the extension: every cookie of /cookies is stored and sent back`, async () => {
  const h = await start('control', false);
  try {
    const first = await visitCookies(h);
    const second = await visitCookies(h);
    assert.deepEqual(await jarNames(h, SITE), sorted(Object.keys(FIRST_PARTY)), 'every first-party cookie is in the jar');
    const doc = second.entries.find((e) => e.host === SITE && e.path === '/cookies');
    assert.deepEqual(cookieNames(doc.headers.cookie), sorted(Object.keys(FIRST_PARTY)), 'the second visit sends them all back');
    for (const [host, names] of Object.entries(THIRD_PARTY)) {
      assert.deepEqual(await jarNames(h, host), names, `third-party cookie of ${host} in the jar`);
      const sent = second.entries.filter((e) => e.host === host && cookieNames(e.headers.cookie).some((n) => names.includes(n)));
      assert.ok(sent.length > 0, `${host} gets its cookie back on the second visit (${JSON.stringify(second.entries.filter((e) => e.host === host).map((e) => [e.path, e.headers.cookie]))})`);
    }
    assert.ok(first.entries.some((e) => e.host === 'social.test' && e.path === '/widget/like'), 'the social iframe loaded');
    assert.deepEqual(await nextCookieHeader(h, SITE), sorted(Object.keys(FIRST_PARTY)), 'the next request to site.test carries every cookie');
    const storage = await siteStorage(h, SITE);
    assert.ok(storage.localStorage > 0 && storage.indexedDB > 0, `localStorage and IndexedDB written (${JSON.stringify(storage)})`);
    await closeAllPages([first.page, second.page]);
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: cookie policy: defaults, policy changes, popup, forget this site, session rule`, async (t) => {
  const h = await start('policy');
  try {
    await blockingOff(h);

    await t.test('defaults: the jar holds exactly what the defaults allow, and only that is sent', async () => {
      const { page } = await visitCookies(h);
      const names = await jarEventually(h, SITE, (n) => n.join() === KEPT_BY_DEFAULT.join(), 'site.test jar = kept cookies');
      assert.deepEqual(names, KEPT_BY_DEFAULT, 'site.test cookies in the jar');
      for (const host of TRACKERS) {
        assert.deepEqual(await jarEventually(h, host, (n) => n.length === 0, `${host} jar empty`), [], `no third-party cookie of ${host} in the jar`);
      }
      assert.deepEqual(await nextCookieHeader(h, SITE), KEPT_BY_DEFAULT, 'the next request to site.test carries exactly the kept cookies');
      const again = await visitCookies(h);
      assert.ok(again.entries.some((e) => e.host === 'ads.test'), 'the ads.test requests reached the server (blocking off)');
      assert.deepEqual(trackerCookieHeaders(again.entries), [], 'the trackers get no Cookie header');
      await closeAllPages([page, again.page]);
    });

    await t.test('changing a policy changes the outcome', async () => {
      await message(h, { type: 'setCookieRule', purpose: 'advertising', rule: 'allow' });
      try {
        const { page } = await visitCookies(h);
        const names = await jarEventually(h, SITE, (n) => n.includes('_gcl_au') && n.includes('_fbp'), 'advertising cookies kept');
        assert.ok(names.includes('_gcl_au') && names.includes('_fbp'), `advertising allowed: _gcl_au and _fbp kept (${names})`);
        const sent = await nextCookieHeader(h, SITE);
        assert.ok(sent.includes('_gcl_au') && sent.includes('_fbp'), `and sent (${sent})`);
        await page.close();
      } finally {
        await message(h, { type: 'setCookieRule', purpose: 'advertising', rule: 'block' });
      }
      await message(h, { type: 'setCookieRule', purpose: 'technical', rule: 'block' });
      try {
        const { page } = await visitCookies(h);
        const names = await jarEventually(h, SITE, (n) => !n.includes('session_id') && !n.includes('csrftoken'), 'technical cookies gone');
        assert.ok(!names.includes('session_id') && !names.includes('csrftoken'), `technical blocked: session_id and csrftoken gone (${names})`);
        const sent = await nextCookieHeader(h, SITE);
        assert.ok(!sent.includes('session_id') && !sent.includes('csrftoken'), `and not sent (${sent})`);
        await page.close();
      } finally {
        await message(h, { type: 'setCookieRule', purpose: 'technical', rule: 'allow' });
      }
    });

    await t.test('the popup lists each cookie under its purpose and deletes a kept one', async () => {
      const { page } = await visitCookies(h);
      await jarEventually(h, SITE, (n) => n.join() === KEPT_BY_DEFAULT.join(), 'site.test jar = kept cookies');
      const popup = await openPopup(h, SITE);
      try {
        await popup.waitForSelector('#cookies li.cookie', { timeout: 10000 });
        const rows = await popup.$$eval('#cookies li.cookie', (lis) => lis.map((li) => ({
          name: li.dataset.name, domain: (li.dataset.domain || '').replace(/^\./, ''), purpose: li.dataset.purpose,
          action: li.dataset.action, deletable: !!li.querySelector('button.delete-cookie'),
        })));
        const row = (name) => rows.find((r) => r.name === name && r.domain === SITE);
        const expect = { _fbp: ['advertising', 'deleted'], session_id: ['technical', 'kept'], _ga: ['statistical', 'kept'], zq_flag: ['unknown', 'kept'] };
        for (const [name, [purpose, action]] of Object.entries(expect)) {
          assert.deepEqual(row(name) && [row(name).purpose, row(name).action], [purpose, action], `${name}: ${purpose}, ${action} (rows: ${JSON.stringify(rows)})`);
        }
        for (const r of rows) assert.ok(['kept', 'deleted', 'blocked', 'session'].includes(r.action), `data-action of ${r.name} is one of kept/deleted/blocked/session (${r.action})`);
        for (const r of rows.filter((x) => x.action === 'kept')) assert.ok(r.deletable, `kept cookie ${r.name} (${r.domain}) has a delete button`);
        await popup.click(`#cookies li.cookie[data-name="lang"][data-domain$="${SITE}"] button.delete-cookie`);
        const names = await jarEventually(h, SITE, (n) => !n.includes('lang'), 'lang deleted');
        assert.ok(!names.includes('lang'), `lang deleted from the jar (${names})`);
        assert.ok(names.includes('session_id'), 'the other kept cookies stay');
      } finally {
        await popup.close();
        await page.close();
      }
    });

    await t.test('"Forget this site" empties its cookies, localStorage and IndexedDB', async () => {
      const { page } = await visitCookies(h);
      await page.close();
      const before = await siteStorage(h, SITE);
      assert.ok(before.localStorage > 0 && before.indexedDB > 0, `before: localStorage and IndexedDB hold data (${JSON.stringify(before)})`);
      assert.ok((await jarNames(h, SITE)).length > 0, 'before: site.test has cookies');
      // A tracker-free tab of the site for the popup to inspect.
      const plain = await h.newPage();
      await gotoAndWaitTitle(plain, h.url(SITE, '/plain?tab'));
      const popup = await openPopup(h, SITE);
      try {
        await popup.click('#forget-site');
        await popup.waitForFunction(() => document.querySelector('#forget-result')?.textContent.trim(), { timeout: 10000 });
      } finally {
        await popup.close();
        await plain.close();
      }
      assert.deepEqual(await jarEventually(h, SITE, (n) => n.length === 0, 'site.test jar empty'), [], 'no site.test cookie left');
      const afterStorage = await siteStorage(h, SITE);
      assert.deepEqual(afterStorage, { localStorage: 0, indexedDB: 0 }, 'localStorage and IndexedDB emptied');
      assert.deepEqual(await nextCookieHeader(h, SITE), [], 'the next request to site.test carries no cookie');
    });

    await t.test('session rule: a site\'s cookies of that purpose go when its last tab closes', async () => {
      await message(h, { type: 'setCookieRule', purpose: 'personalization', rule: 'session' });
      try {
        // news.test keeps a tab open all along (and the browser keeps a window).
        const other = await visitCookies(h, OTHER);
        const otherBefore = await jarEventually(h, OTHER, (n) => n.includes('session_id'), 'news.test cookies');
        const { page } = await visitCookies(h, SITE);
        const names = await jarEventually(h, SITE, (n) => n.includes('lang'), 'lang set');
        assert.ok(names.includes('lang'), `session rule: lang is in the jar while the site is open (${names})`);
        // Chromium: the service worker is stopped first, so a fresh one (nothing in memory) must
        // find the pending session-end sites in storage when the tab closes.
        const restarted = await stopBackground(h);
        await page.close();
        await closeTabsOf(h, SITE);
        // The closing woke the stopped worker; the harness's debugger holds a woken worker until
        // it attaches (puppeteer's waitForDebuggerOnStart), which this does.
        if (restarted) await resumeChromiumWorker(h);
        const after = await jarEventually(h, SITE, (n) => !n.includes('lang'), 'lang gone after the last site.test tab closed');
        assert.ok(!after.includes('lang'), `lang gone once no site.test tab is open (${after})`);
        if (restarted) assert.equal(await h.evalBackground(() => globalThis.__beforeStop ?? null), null, 'the background that removed it was a restarted one');
        const otherAfter = await jarNames(h, OTHER);
        const untouched = otherBefore.filter((n) => FIRST_PARTY[n] && FIRST_PARTY[n] !== 'personalization');
        assert.deepEqual(untouched.filter((n) => !otherAfter.includes(n)), [], `news.test cookies of other purposes untouched (${otherBefore} -> ${otherAfter})`);
        await other.page.close();
      } finally {
        await message(h, { type: 'setCookieRule', purpose: 'personalization', rule: 'allow' });
      }
    });
  } finally {
    await h.close();
  }
});
