// The everyday interface, end to end in the browser under test: the real popup, options and
// onboarding pages, opened as extension pages for the tab under test.
// - onboarding opens on install and shows the core's default rule per cookie purpose;
// - popup: site, counts (the cookies removed among them), GPC declaration fetched once and cached,
//   "Protection on this site" toggled with the keyboard → reload → trackers load (server log);
// - pages where the extension cannot act say so (a file: URL);
// - options: a cookie policy changed in the page changes what the jar keeps; a settings file
//   imported → the pages and the stored settings match it; a malformed file → the problems are
//   shown and nothing changes;
// - Firefox: revoked host access → the popup says protection is limited and offers the request;
// - an axe-core scan (WCAG 2.1 A/AA and best practices) of every page, light and dark, English
//   and German; screenshots of each under tests/artifacts/<browser>/screenshots/;
// - Chromium: the popup paints before the background answers (the worker held busy); how fast
//   it paints is `cargo xtask bench`'s popup_paint figure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, EXTENSION_DIR, freshProfile, launch, visit, openPopup, openOptions, tabIdFor, eventually, message } from './lib/fixture.mjs';
import { launchChromium, launchFirefox, waitForExtensionReady } from './lib/browsers.mjs';

const require = createRequire(import.meta.url);
/**
 * axe-core, evaluated in the page. (`page.addScriptTag` inserts an inline script, which the
 * extension pages' CSP `script-src 'self'` refuses; an evaluation by the driver is not subject
 * to the page's CSP.)
 */
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = `${BROWSER}/screenshots`;

/** Trackers the test web's home page embeds, as [host, path]. */
const TRACKERS = [['ads.test', '/ads.js'], ['analytics.test', '/analytics.js'], ['social.test', '/widget/like']];

let web;
before(async () => {
  web = await startTestWeb();
});
after(async () => {
  await web?.close();
});

const arrived = (host, p) => web.log.some((e) => e.host === host && e.path === p);

async function load(h, host = 'site.test', pathname = '/') {
  web.clear();
  return visit(h, web, host, pathname, { probes: pathname === '/' ? ['top', 'same'] : ['top'] });
}

/** The names of the cookies in the jar for exactly `host` (read through the driver). */
async function jar(h, host = 'site.test') {
  return (await h.browser.cookies()).filter((c) => c.domain.replace(/^\./, '') === host).map((c) => c.name);
}

/** Runs axe-core on the page; returns its violations, shortened. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    if (r.passes.length < 10) throw new Error(`axe-core checked too little (${r.passes.length} rules passed)`);
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 2).join('')}`) }));
  });
}

async function assertAccessible(page, label) {
  const violations = await axe(page);
  assert.deepEqual(violations, [], `${label}: axe-core finds no violation`);
}

/** The stored settings document, parsed. */
async function storedSettings(h) {
  return h.evalBackground(async () => JSON.parse((await (globalThis.browser ?? globalThis.chrome).storage.local.get('settings')).settings));
}

/** Writes a file for an upload; returns its path. */
function tempFile(name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crumbwall-ui-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test(`${BROWSER}: popup, options and onboarding drive the extension`, async (t) => {
  const h = await launch(web, { profileDir: freshProfile('ui') });
  try {
    await t.test('the onboarding page opens on install and shows the default rule of each purpose', async () => {
      const url = await eventually(async () => {
        const tabs = await h.evalBackground(async () => (await (globalThis.browser ?? globalThis.chrome).tabs.query({})).map((x) => x.url ?? ''));
        return tabs.find((u) => u.endsWith('/extension/onboarding/onboarding.html'));
      }, { timeout: 10000, what: 'the onboarding tab' });
      assert.ok(url);
      const page = await h.openExtensionPage('extension/onboarding/onboarding.html');
      await page.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
      const rules = await page.$$eval('#purposes li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.purpose, li.dataset.rule])));
      assert.deepEqual(rules, { technical: 'allow', personalization: 'allow', statistical: 'block-third-party', advertising: 'block', social: 'block' });
      assert.equal(await page.$eval('#permissions', (e) => e.hidden), true, 'host access granted: no permission notice');
      await assertAccessible(page, 'onboarding');
      await page.close();
    });

    await t.test('popup: site, counts, trackers, cookies removed, GPC declaration fetched once and cached', async () => {
      const page = await load(h, 'site.test', '/cookies');
      await eventually(async () => { const n = await jar(h); return n.includes('session_id') && !n.includes('_gcl_au'); }, { timeout: 8000, what: 'the default policy removed _gcl_au' });
      const popup = await openPopup(h, 'site.test');
      assert.equal(await popup.$eval('#site', (e) => e.textContent), 'site.test');
      assert.equal(await popup.$eval('#protection-site', (e) => e.checked), true);
      assert.ok(Number(await popup.$eval('#blocked-total', (e) => e.textContent)) >= 1, 'blocked total');
      const counts = await popup.$$eval('.tiles li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.category, li.querySelector('b').textContent])));
      assert.deepEqual(Object.keys(counts), ['advertising', 'statistical', 'social', 'pixels', 'links', 'cookies']);
      assert.match(counts.cookies, /^\d+$/, 'cookies removed is a number once the cookies are in');
      const cookieRows = await popup.$$eval('#cookies li.cookie', (lis) => lis.map((li) => li.dataset.action));
      assert.equal(Number(counts.cookies), cookieRows.filter((a) => a === 'deleted' || a === 'blocked').length, 'cookies removed = deleted + blocked rows');
      assert.ok(Number(counts.cookies) > 0, 'the cookie page sets cookies the defaults remove');
      await popup.waitForSelector('#gpc-site[data-status="honoured"]', { timeout: 10000 });
      const fetches = web.log.filter((e) => e.path === '/.well-known/gpc.json');
      assert.deepEqual(fetches.map((e) => e.host), ['site.test'], 'gpc.json fetched once, from the site');
      assert.equal(fetches[0].headers.cookie, undefined, 'without cookies (credentials: omit)');
      await popup.close();
      const again = await openPopup(h, 'site.test');
      await again.waitForSelector('#gpc-site[data-status="honoured"]', { timeout: 10000 });
      await again.close();
      assert.equal(web.log.filter((e) => e.path === '/.well-known/gpc.json').length, 1, 'the second popup uses the cached answer');
      const cache = await h.evalBackground(async () => (await (globalThis.browser ?? globalThis.chrome).storage.local.get('gpcSites')).gpcSites);
      assert.equal(cache['site.test'].status, 'honoured');
      await page.close();
      const news = await load(h, 'news.test');
      const popup2 = await openPopup(h, 'news.test');
      await popup2.waitForSelector('#gpc-site[data-status="none"]', { timeout: 10000 });
      await popup2.close();
      await news.close();
    });

    await t.test('"Protection on this site" switched off with the keyboard → reload → trackers load; on again → blocked', async () => {
      const page = await load(h);
      const popup = await openPopup(h, 'site.test');
      // Tab from the top of the page to the switch; focus is visible there.
      let focused = null;
      for (let i = 0; i < 10 && focused !== 'protection-site'; i++) {
        await popup.keyboard.press('Tab');
        focused = await popup.evaluate(() => document.activeElement?.id ?? null);
      }
      assert.equal(focused, 'protection-site', 'the switch is reachable with Tab');
      const outline = await popup.$eval('#protection-site', (e) => ({ visible: e.matches(':focus-visible'), style: getComputedStyle(e).outlineStyle }));
      assert.ok(outline.visible && outline.style !== 'none', `visible focus on the switch (${JSON.stringify(outline)})`);
      await popup.keyboard.press(' ');
      await popup.waitForFunction(() => document.querySelector('#protection-site').checked === false && /off|aus/i.test(document.querySelector('#protection-state').textContent), { timeout: 5000 });
      assert.deepEqual((await storedSettings(h)).allowlist, ['site.test']);
      await popup.close();
      await page.close();
      await eventually(async () => {
        await (await load(h)).close();
        return TRACKERS.every(([host, p]) => arrived(host, p));
      }, { timeout: 8000, what: 'trackers to load with protection off' });
      for (const [host, p] of TRACKERS) assert.ok(arrived(host, p), `${host}${p} loaded with protection off`);
      const tab = await load(h);
      const on = await openPopup(h, 'site.test');
      await on.click('#protection-site');
      await on.waitForFunction(() => document.querySelector('#protection-site').checked === true, { timeout: 5000 });
      await on.close();
      await tab.close();
      await eventually(async () => {
        await (await load(h)).close();
        return TRACKERS.every(([host, p]) => !arrived(host, p));
      }, { timeout: 8000, what: 'trackers blocked again' });
    });

    await t.test('a page where the extension cannot act says so instead of showing zeros', async () => {
      const file = tempFile('local.html', '<!doctype html><title>local</title><p>local file</p>');
      const before = await h.evalBackground(async () => (await (globalThis.browser ?? globalThis.chrome).tabs.query({})).map((x) => x.id));
      const page = await h.newPage();
      await page.goto(`file://${file}`, { waitUntil: 'load', timeout: 10000 }).catch(() => {});
      const tabId = await eventually(async () => {
        const tabs = await h.evalBackground(async () => (await (globalThis.browser ?? globalThis.chrome).tabs.query({})).map((x) => x.id));
        return tabs.find((id) => !before.includes(id));
      }, { what: 'the file: tab' });
      const popup = await h.openExtensionPage(`extension/popup/popup.html?tabId=${tabId}`);
      await popup.setViewport({ width: 360, height: 480 });
      await popup.waitForSelector('body[data-ready]', { timeout: 10000 });
      assert.equal(await popup.$eval('#unsupported', (e) => e.hidden), false, 'the notice is shown');
      assert.ok((await popup.$eval('#unsupported', (e) => e.textContent)).length > 20);
      for (const id of ['protection', 'cookies', 'signals']) assert.equal(await popup.$eval(`#${id}`, (e) => e.hidden), true, `#${id} hidden`);
      await h.screenshot(popup, `${SHOTS}/popup-unsupported-en-light.png`);
      await assertAccessible(popup, 'popup on a file: page');
      await popup.close();
      await page.close();
    });

    await t.test('options: changing a cookie policy in the page changes what the jar keeps', async () => {
      await (await load(h, 'site.test', '/cookies')).close();
      await eventually(async () => { const n = await jar(h); return n.includes('session_id') && !n.includes('_gcl_au'); }, { timeout: 8000, what: 'default policy: session_id kept, advertising _gcl_au removed' });
      const options = await openOptions(h);
      await options.select('#cookie-advertising', 'allow');
      await eventually(async () => (await storedSettings(h)).cookies.advertising === 'allow', { what: 'policy stored' });
      await (await load(h, 'site.test', '/cookies')).close();
      const names = await eventually(async () => { const n = await jar(h); return n.includes('_gcl_au') && n; }, { timeout: 8000, what: '_gcl_au kept' });
      assert.ok(names.includes('_gcl_au') && names.includes('_fbp'), `advertising allowed: kept (${names})`);
      await options.select('#cookie-advertising', 'block');
      await eventually(async () => !(await jar(h)).includes('_gcl_au'), { timeout: 8000, what: 'block again removes _gcl_au' });
      await options.close();
    });

    await t.test('options: importing a settings file → pages and stored settings match; a malformed file changes nothing', async () => {
      const exported = JSON.parse(await message(h, { type: 'exportSettings' }));
      assert.deepEqual(exported, await storedSettings(h), 'the export is the stored document');
      const wanted = structuredClone(exported);
      wanted.blocking.social = false;
      wanted.cookies.statistical = 'block';
      wanted.allowlist = ['import.test'];
      wanted.signals.exceptions = ['news.test'];
      wanted.links.clean = false;
      const options = await openOptions(h);
      await (await options.$('#settings-import')).uploadFile(tempFile('good.json', JSON.stringify(wanted, null, 2)));
      await options.waitForFunction(() => document.querySelector('#settings-status').textContent.length > 0, { timeout: 5000 });
      assert.deepEqual(await storedSettings(h), wanted, 'stored settings = the file');
      await options.waitForFunction(() => !document.querySelector('#cat-social').checked, { timeout: 5000 });
      assert.equal(await options.$eval('#cat-advertising', (e) => e.checked), true);
      assert.equal(await options.$eval('#cookie-statistical', (e) => e.value), 'block');
      assert.equal(await options.$eval('#sw-links-clean', (e) => e.checked), false);
      assert.deepEqual(await options.$$eval('#allow-list .site-name', (els) => els.map((e) => e.textContent)), ['import.test']);
      assert.deepEqual(await options.$$eval('#exception-list .site-name', (els) => els.map((e) => e.textContent)), ['news.test']);
      await h.screenshot(options, `${SHOTS}/options-imported-en-light.png`, { fullPage: true });

      const before = await h.evalBackground(async () => (await (globalThis.browser ?? globalThis.chrome).storage.local.get('settings')).settings);
      const bad = { ...structuredClone(wanted), blocking: { ...wanted.blocking, advertising: 'yes' }, allowlist: ['not a site!'] };
      await (await options.$('#settings-import')).uploadFile(tempFile('bad.json', JSON.stringify(bad)));
      await options.waitForFunction(() => document.querySelectorAll('#settings-error li').length > 0, { timeout: 5000 });
      const problems = await options.$$eval('#settings-error li', (lis) => lis.map((li) => li.textContent));
      assert.ok(problems.some((p) => /advertising/.test(p)) && problems.some((p) => /allowlist/.test(p)), `each problem is listed (${problems})`);
      const notJson = tempFile('notjson.json', '{"version": 4, "blocking": ');
      await (await options.$('#settings-import')).uploadFile(notJson);
      await options.waitForFunction(() => /JSON/i.test(document.querySelector('#settings-error').textContent), { timeout: 5000 });
      await options.$eval('#settings-file', (e) => e.scrollIntoView());
      await h.screenshot(options, `${SHOTS}/options-import-error-en-light.png`);
      const afterBad = await h.evalBackground(async () => (await (globalThis.browser ?? globalThis.chrome).storage.local.get('settings')).settings);
      assert.equal(afterBad, before, 'malformed files changed nothing');
      assert.equal(await options.$eval('#cat-social', (e) => e.checked), false, 'the page still shows the imported state');
      // Back to the defaults the other steps expect.
      await message(h, { type: 'importSettings', text: JSON.stringify(exported) });
      assert.deepEqual(await storedSettings(h), exported);
      await options.close();
    });

    await t.test('options: filter lists with category, filter count and version; custom filters section renders', async () => {
      const options = await openOptions(h);
      const rows = await options.$$eval('#list-rows tr', (trs) => trs.map((tr) => ({ id: tr.dataset.list, included: tr.dataset.included, cells: [...tr.children].map((c) => c.textContent) })));
      const lists = JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, 'extension/rules/lists.json'), 'utf8'));
      for (const l of lists.filter((x) => ['advertising', 'statistical', 'social'].includes(x.category))) {
        const row = rows.find((r) => r.id === l.id);
        assert.ok(row, `list ${l.id} shown`);
        if (l.included) assert.equal(row.cells[2].replace(/\D/g, ''), String(l.filters), `${l.id}: filter count`);
      }
      assert.ok(rows.some((r) => r.id === 'starter'), 'the built-in starter list is shown');
      const custom = await options.evaluate(() => ({ status: document.querySelector('#custom-status').textContent, error: document.querySelector('#custom-error').textContent }));
      assert.ok(custom.status || custom.error, `the custom filters section says something (${JSON.stringify(custom)})`);
      console.log(`# ${BROWSER}: custom filters section: ${custom.status || custom.error}`);
      await options.close();
    });

    await t.test('popup: the first paint does not wait for the background; protection fills in when it answers', { skip: BROWSER !== 'chromium' && 'Chromium only: in Firefox the event page and extension pages share one thread, so a busy background holds the popup itself' }, async () => {
      // How fast it paints is a figure of `cargo xtask bench` (popup_paint), not a test. Here: the
      // service worker is kept busy for 3 s, so the popup's one message cannot be answered; the
      // page must paint its frame anyway, and show the site's protection once the worker is free.
      const page = await load(h);
      const tabId = await tabIdFor(h, 'site.test');
      await h.evalBackground(() => {
        setTimeout(() => {
          const end = Date.now() + 3000;
          while (Date.now() < end) { /* busy: no message is answered */ }
        }, 0);
        return true;
      });
      const popup = await h.openExtensionPage(`extension/popup/popup.html?tabId=${tabId}`);
      const painted = await popup.evaluate(() => new Promise((resolve) => {
        const report = () => resolve({ protectionReady: document.body.dataset.protectionReady ?? null, site: document.querySelector('#site').textContent });
        if (performance.getEntriesByName('first-contentful-paint').length) report();
        else new PerformanceObserver(report).observe({ type: 'paint', buffered: true });
      }));
      assert.deepEqual(painted, { protectionReady: null, site: '' }, 'painted before the background answered');
      await popup.waitForSelector('body[data-protection-ready]', { timeout: 15000 });
      assert.equal(await popup.$eval('#site', (e) => e.textContent), 'site.test');
      assert.ok(await popup.evaluate(() => performance.getEntriesByName('crumbwall-protection-rendered').length === 1), 'the protection-rendered mark is set once');
      await popup.close();
      await page.close();
    });

    if (BROWSER === 'firefox') {
      await t.test('Firefox: host access revoked → the popup says protection is limited and offers to ask for it', async () => {
        const page = await load(h);
        const removed = await h.evalBackground(async () => (globalThis.browser ?? globalThis.chrome).permissions.remove({ origins: ['<all_urls>'] }));
        assert.equal(removed, true, 'host permission revoked');
        try {
          const popup = await openPopup(h, 'site.test');
          await popup.waitForSelector('body[data-host-access="false"]', { timeout: 5000 });
          assert.equal(await popup.$eval('#permissions', (e) => e.hidden), false, 'the notice is shown');
          assert.equal(await popup.$eval('#grant-permissions', (e) => e.tagName), 'BUTTON');
          await h.screenshot(popup, `${SHOTS}/popup-no-host-access-en-light.png`, { fullPage: true });
          await assertAccessible(popup, 'popup without host access');
          await popup.close();
        } finally {
          await page.close();
        }
      });
    }
  } finally {
    await h.close();
  }
});

/**
 * Launches the browser under test in `lang` (Chromium `--lang` and LANGUAGE, Firefox
 * `intl.locale.requested`, which needs the firefox-esr-l10n-de language pack; Chromium needs
 * chromium-l10n) and, for Firefox, with the colour scheme of content forced (Chromium emulates
 * it per page).
 */
async function launchIn(lang, theme) {
  const common = { extensionDir: EXTENSION_DIR, profileDir: freshProfile(`ui-${lang}-${theme}`), port: web.port, scheme: 'http', executablePath: process.env.CRUMBWALL_BROWSER_PATH || undefined };
  let h;
  if (BROWSER === 'firefox') {
    h = await launchFirefox({ ...common, prefs: { 'intl.locale.requested': lang === 'en' ? 'en-US' : lang, 'layout.css.prefers-color-scheme.content-override': theme === 'dark' ? 0 : 1 } });
  } else {
    const saved = process.env.LANGUAGE;
    process.env.LANGUAGE = lang;
    try {
      h = await launchChromium({ ...common, extraArgs: [`--lang=${lang}`] });
    } finally {
      if (saved === undefined) delete process.env.LANGUAGE;
      else process.env.LANGUAGE = saved;
    }
  }
  await waitForExtensionReady(h, { key: 'ready', area: 'session', timeout: 20000 });
  return h;
}

async function setTheme(page, theme) {
  if (BROWSER === 'chromium') await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
  const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  assert.equal(dark, theme === 'dark', `the page is in the ${theme} scheme`);
}

/** Screenshots and accessibility scan of popup, options and onboarding in one language and theme. */
async function shootAll(h, lang, theme) {
  const ui = await h.evalBackground(() => (globalThis.browser ?? globalThis.chrome).i18n.getUILanguage());
  if (!ui.startsWith(lang)) return `the browser's UI language is ${ui}, not ${lang} (language pack missing? chromium-l10n / firefox-esr-l10n-${lang})`;
  const page = await load(h);
  await page.close();
  const site = await load(h, 'site.test', '/cookies');
  const tabId = await tabIdFor(h, 'site.test');
  const popup = await h.openExtensionPage(`extension/popup/popup.html?tabId=${tabId}`);
  await popup.setViewport({ width: 360, height: 600 });
  await setTheme(popup, theme);
  await popup.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
  await popup.waitForSelector('#gpc-site:not([data-status="checking"])', { timeout: 10000 });
  assert.equal(await popup.evaluate(() => document.documentElement.lang), lang);
  await popup.$eval('#trackers', (d) => { d.open = true; });
  const overflow = await popup.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto' && e.clientWidth > 0).map((e) => e.id || e.className || e.tagName));
  assert.deepEqual(overflow, [], `${lang} ${theme}: no element of the popup overflows its box`);
  assert.ok(await popup.evaluate(() => document.documentElement.scrollWidth <= 362), `${lang} ${theme}: the popup does not scroll sideways`);
  await h.screenshot(popup, `${SHOTS}/popup-${lang}-${theme}.png`, { fullPage: true });
  await assertAccessible(popup, `popup ${lang} ${theme}`);
  await popup.close();
  await site.close();

  const options = await h.openExtensionPage('extension/options/options.html');
  await setTheme(options, theme);
  await options.waitForSelector('body[data-ready]', { timeout: 10000 });
  await h.screenshot(options, `${SHOTS}/options-${lang}-${theme}.png`, { fullPage: true });
  await assertAccessible(options, `options ${lang} ${theme}`);
  await options.setViewport({ width: 420, height: 900 });
  await h.screenshot(options, `${SHOTS}/options-narrow-${lang}-${theme}.png`, { fullPage: true });
  assert.ok(await options.evaluate(() => document.documentElement.scrollWidth <= 422), `${lang} ${theme}: the options page fits a narrow window`);
  await options.close();

  const onboarding = await h.openExtensionPage('extension/onboarding/onboarding.html');
  await setTheme(onboarding, theme);
  await onboarding.waitForSelector('body[data-ready]', { timeout: 10000 });
  await h.screenshot(onboarding, `${SHOTS}/onboarding-${lang}-${theme}.png`, { fullPage: true });
  await assertAccessible(onboarding, `onboarding ${lang} ${theme}`);
  await onboarding.close();
  return null;
}

for (const lang of ['en', 'de']) {
  test(`${BROWSER}: screenshots and accessibility scan in ${lang === 'en' ? 'English' : 'German'}, light and dark`, async (t) => {
    // Chromium emulates the scheme per page (one launch); Firefox forces it with a pref (one launch each).
    const launches = BROWSER === 'firefox' ? [['light'], ['dark']] : [['light', 'dark']];
    for (const themes of launches) {
      const h = await launchIn(lang, themes[0]);
      try {
        for (const theme of themes) {
          const skipped = await shootAll(h, lang, theme);
          if (skipped) {
            t.skip(skipped);
            return;
          }
        }
      } finally {
        await h.close();
      }
    }
  });
}
