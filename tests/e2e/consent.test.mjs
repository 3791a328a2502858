// Cookie-consent banners, end to end in the browser under test, on test-web pages that imitate
// two common consent platforms closely enough for @duckduckgo/autoconsent's rules to match them:
// - Cookiebot: the `#CybotCookiebotDialog` dialog and the `window.Cookiebot` object its rule
//   checks through page snippets (`Cookiebot.dialog.visible`, `hasResponse`, `withdraw()`,
//   `hide()`, `declined`), the choice stored in the `CookieConsent` cookie as Cookiebot does;
// - OneTrust: `#onetrust-consent-sdk > #onetrust-banner-sdk` with the accept, reject-all and
//   settings buttons, `window.OnetrustActiveGroups` (the self-test) and the `OptanonConsent` /
//   `OptanonAlertBoxClosed` cookies;
// plus a banner that keeps coming back (declining it reloads the page without storing the choice),
// and a banner no consent platform rule knows whose class is in EasyList – Cookie Notices
// (`##.CaixaCookies`). Checked: the decline is recorded (never the accept), the banner
// disappears, the popup reports platform and outcome, the unknown banner is hidden, the looping
// one is given up after a bounded number of tries, and with the per-site switch off the banner
// stays. A control run without the extension shows every banner staying.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, freshProfile, launch, message, openPopup, eventually } from './lib/fixture.mjs';
import { gotoAndWaitTitle, screenshot } from './lib/browsers.mjs';

const SITE = 'site.test';
const OTHER = 'news.test';

const html = (ctx, body) => ctx.send(200, 'text/html; charset=utf-8', body, { 'cache-control': 'no-store' });

const ARTICLE = `<main><h1>Article</h1><p>${'Lorem ipsum dolor sit amet. '.repeat(40)}</p></main>`;
const BANNER_CSS = `position:fixed;left:0;right:0;bottom:0;z-index:2147483000;background:#fff;border-top:2px solid #333;padding:16px;font:16px sans-serif`;
const READY = `<script>addEventListener('load', () => setTimeout(() => { document.title = 'ready'; }, 50));</script>`;

/** Cookiebot (uc.js): dialog markup and the JS API autoconsent's `Cybotcookiebot` rule uses. */
function pageCookiebot(ctx) {
  html(ctx, `<!doctype html><html><head><meta charset="utf-8"><title>loading</title>
<script>
(() => {
  const m = document.cookie.match(/(?:^|; )CookieConsent=([^;]*)/);
  const stored = m ? decodeURIComponent(m[1]) : null;
  const save = (all) => {
    const v = "{stamp:'" + Math.random().toString(36).slice(2) + "',necessary:true,preferences:" + all + ",statistics:" + all + ",marketing:" + all + ",method:'explicit',ver:1}";
    document.cookie = 'CookieConsent=' + encodeURIComponent(v) + '; path=/; max-age=31536000';
    Object.assign(window.Cookiebot, { hasResponse: true, declined: !all, consented: all, consent: { necessary: true, preferences: all, statistics: all, marketing: all } });
    window.Cookiebot.hide();
  };
  window.Cookiebot = {
    hasResponse: stored !== null,
    declined: stored !== null && stored.includes('marketing:false'),
    consented: stored !== null && stored.includes('marketing:true'),
    consent: { necessary: true, preferences: false, statistics: false, marketing: false },
    dialog: { visible: stored === null },
    show() { this.dialog.visible = true; const d = document.getElementById('CybotCookiebotDialog'); if (d) d.style.display = ''; },
    hide() { this.dialog.visible = false; const d = document.getElementById('CybotCookiebotDialog'); if (d) d.style.display = 'none'; },
    withdraw() { save(false); },
    submitCustomConsent(p, s, m) { save(Boolean(p && s && m)); },
    __save: save,
  };
})();
</script></head><body>${ARTICLE}
<div id="CybotCookiebotDialog" role="dialog" aria-modal="true" style="${BANNER_CSS}">
  <div id="CybotCookiebotDialogBodyContent"><h2 id="CybotCookiebotDialogBodyContentTitle">This website uses cookies</h2>
  <div id="CybotCookiebotDialogBodyContentText">We use cookies to personalise content and ads and to analyse our traffic.</div></div>
  <button id="CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll" type="button">Use necessary cookies only</button>
  <button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll" type="button">Allow all cookies</button>
</div>
<script>
  if (!Cookiebot.dialog.visible) document.getElementById('CybotCookiebotDialog').style.display = 'none';
  document.getElementById('CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll').onclick = () => Cookiebot.__save(false);
  document.getElementById('CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll').onclick = () => Cookiebot.__save(true);
</script>${READY}</body></html>`);
}

/** OneTrust (otSDKStub): banner markup, the reject-all button and the active groups. */
function pageOnetrust(ctx) {
  html(ctx, `<!doctype html><html><head><meta charset="utf-8"><title>loading</title>
<script>
  window.OnetrustActiveGroups = document.cookie.includes('OptanonAlertBoxClosed=')
    ? (document.cookie.includes('groups=C0001%3A1%2CC0002%3A0') ? ',C0001,' : ',C0001,C0002,C0003,C0004,')
    : ',C0001,C0002,C0003,C0004,';
</script></head><body>${ARTICLE}
<div id="onetrust-consent-sdk">
  <div id="onetrust-banner-sdk" class="otFlat" role="region" aria-label="Cookie banner" tabindex="0" style="${BANNER_CSS}">
    <div id="onetrust-policy"><p id="onetrust-policy-text">We and our partners use cookies to deliver and improve our services.</p></div>
    <div id="onetrust-button-group-parent"><div id="onetrust-button-group">
      <button id="onetrust-pc-btn-handler" type="button">Cookie settings</button>
      <button id="onetrust-reject-all-handler" type="button">Reject all</button>
      <button id="onetrust-accept-btn-handler" type="button">Accept all cookies</button>
    </div></div>
  </div>
</div>
<script>
(() => {
  const banner = document.getElementById('onetrust-banner-sdk');
  const choose = (all) => {
    const groups = ['C0001:1', 'C0002:' + (all ? 1 : 0), 'C0003:' + (all ? 1 : 0), 'C0004:' + (all ? 1 : 0)].join(',');
    document.cookie = 'OptanonConsent=' + encodeURIComponent('isGpcEnabled=0&datestamp=' + new Date().toISOString() + '&version=202401.1.0&consentId=' + Math.random().toString(36).slice(2) + '&interactionCount=1&groups=' + groups) + '; path=/; max-age=31536000';
    document.cookie = 'OptanonAlertBoxClosed=' + new Date().toISOString() + '; path=/; max-age=31536000';
    window.OnetrustActiveGroups = all ? ',C0001,C0002,C0003,C0004,' : ',C0001,';
    banner.style.display = 'none';
  };
  if (document.cookie.includes('OptanonAlertBoxClosed=')) banner.style.display = 'none';
  document.getElementById('onetrust-reject-all-handler').onclick = () => choose(false);
  document.getElementById('onetrust-accept-btn-handler').onclick = () => choose(true);
})();
</script>${READY}</body></html>`);
}

/**
 * A banner that keeps coming back: CookieYes markup (`.cky-consent-container` with a reject
 * button, matched by autoconsent's `cookieyes` rule); declining reloads the page and stores
 * nothing, so the banner is there again on every load.
 */
function pageLoop(ctx) {
  html(ctx, `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body>${ARTICLE}
<div class="cky-consent-container" style="${BANNER_CSS}">
  <div class="cky-consent-bar"><p class="cky-notice-des">We value your privacy.</p>
  <div class="cky-notice-btn-wrapper">
    <button class="cky-btn cky-btn-reject" data-cky-tag="reject-button" type="button">Reject All</button>
    <button class="cky-btn cky-btn-accept" data-cky-tag="accept-button" type="button">Accept All</button>
  </div></div>
</div>
<script>
  document.querySelector('[data-cky-tag=reject-button]').onclick = () => setTimeout(() => location.reload(), 50);
  document.querySelector('[data-cky-tag=accept-button]').onclick = () => { document.cookie = 'cookieyes-consent=advertisement:yes; path=/'; };
</script>${READY}</body></html>`);
}

/** A banner no consent-platform rule knows; its class is a generic EasyList – Cookie Notices filter. */
function pageUnknown(ctx) {
  html(ctx, `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body>${ARTICLE}
<div id="zz-notice" class="CaixaCookies" style="${BANNER_CSS}">This site uses cookies. <a href="/plain">More</a> <button type="button">OK</button></div>
${READY}</body></html>`);
}

let web;
before(async () => {
  web = await startTestWeb({
    extraRoutes: {
      publisher: {
        '/consent/cookiebot': { kind: 'document', handler: pageCookiebot },
        '/consent/onetrust': { kind: 'document', handler: pageOnetrust },
        '/consent/loop': { kind: 'document', handler: pageLoop },
        '/consent/unknown': { kind: 'document', handler: pageUnknown },
      },
    },
  });
});
after(async () => {
  await web?.close();
});

/** Whether the element is shown to the user (in the layout, not transparent). */
async function shown(page, selector) {
  return page.evaluate((sel) => {
    const e = document.querySelector(sel);
    if (!e) return false;
    const cs = getComputedStyle(e);
    return cs.display !== 'none' && cs.visibility !== 'hidden' && Number(cs.opacity) > 0 && e.getClientRects().length > 0;
  }, selector);
}

async function open(h, host, path) {
  const page = await h.newPage();
  await gotoAndWaitTitle(page, h.url(host, path));
  return page;
}

const cookieOf = (page, name) => page.evaluate((n) => document.cookie.split('; ').find((c) => c.startsWith(`${n}=`)) ?? null, name);

async function popupConsent(h, host) {
  const popup = await openPopup(h, host);
  await popup.waitForSelector('#consent[data-ready]', { timeout: 10000 });
  const r = await popup.evaluate(() => {
    const s = document.getElementById('consent');
    return { state: s.dataset.state, cmp: s.dataset.cmp, text: s.innerText, hidden: s.hidden, checked: document.getElementById('consent-site')?.checked };
  });
  return { popup, ...r };
}

async function consentState(h, host) {
  const tabId = await h.evalBackground(async (pattern) => {
    const api = globalThis.browser ?? globalThis.chrome;
    const tabs = await api.tabs.query({ url: pattern });
    return tabs.length ? tabs[tabs.length - 1].id : null;
  }, `*://${host}/*`);
  return message(h, { type: 'getConsentState', tabId });
}

test(`${BROWSER}: control run without the extension: every banner stays and nothing is chosen`, async () => {
  const h = await launch(web, { profileDir: freshProfile('consent-control'), extension: false });
  try {
    for (const [path, sel] of [['/consent/cookiebot', '#CybotCookiebotDialog'], ['/consent/onetrust', '#onetrust-banner-sdk'], ['/consent/unknown', '.CaixaCookies']]) {
      const page = await open(h, SITE, path);
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(await shown(page, sel), `${path}: the banner is shown`);
      await page.close();
    }
    const page = await open(h, SITE, '/consent/cookiebot');
    assert.equal(await cookieOf(page, 'CookieConsent'), null, 'no consent cookie without a choice');
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: consent banners: declined, hidden, given up, and left alone when switched off`, async (t) => {
  const h = await launch(web, { profileDir: freshProfile('consent') });
  try {
    await t.test('Cookiebot: declined through its API, the choice recorded, the banner gone, the popup says so', async () => {
      const page = await open(h, SITE, '/consent/cookiebot');
      const cookie = await eventually(() => cookieOf(page, 'CookieConsent'), { timeout: 10000, what: 'the CookieConsent cookie' });
      const value = decodeURIComponent(cookie);
      assert.match(value, /marketing:false/, `declined, not accepted: ${value}`);
      assert.match(value, /statistics:false/);
      assert.equal(await page.evaluate(() => Cookiebot.declined), true);
      await eventually(async () => !(await shown(page, '#CybotCookiebotDialog')), { what: 'the Cookiebot dialog hidden' });
      const s = await eventually(async () => {
        const st = await consentState(h, SITE);
        return st.status === 'declined' && st.selfTest === true ? st : null;
      }, { timeout: 10000, what: 'declined with a passed self-test' });
      assert.equal(s.cmp, 'Cybotcookiebot');
      const p = await popupConsent(h, SITE);
      assert.equal(p.state, 'declined', p.text);
      assert.equal(p.cmp, 'Cybotcookiebot');
      assert.match(p.text, /Cookiebot/);
      assert.equal(p.checked, true);
      await screenshot(p.popup, `consent/${BROWSER}-popup-cookiebot.png`);
      await p.popup.close();
      await page.close();
    });

    await t.test('OneTrust: "Reject all" clicked, the choice recorded, the self-test passes', async () => {
      const page = await open(h, SITE, '/consent/onetrust');
      const cookie = await eventually(() => cookieOf(page, 'OptanonConsent'), { timeout: 10000, what: 'the OptanonConsent cookie' });
      assert.match(decodeURIComponent(cookie), /groups=C0001:1,C0002:0,C0003:0,C0004:0/, 'only the strictly necessary group');
      assert.ok(await cookieOf(page, 'OptanonAlertBoxClosed'));
      await eventually(async () => !(await shown(page, '#onetrust-banner-sdk')), { what: 'the OneTrust banner hidden' });
      const s = await eventually(async () => {
        const st = await consentState(h, SITE);
        return st.status === 'declined' && st.selfTest !== null ? st : null;
      }, { timeout: 15000, what: 'OneTrust declined and self-tested' });
      assert.equal(s.cmp, 'Onetrust');
      assert.equal(s.selfTest, true);
      const p = await popupConsent(h, SITE);
      assert.equal(p.state, 'declined', p.text);
      assert.match(p.text, /OneTrust/);
      await p.popup.close();
      await page.close();
    });

    await t.test('an unknown banner in the cookie-notice list is hidden, and the popup says so', async () => {
      const page = await open(h, SITE, '/consent/unknown');
      await eventually(async () => !(await shown(page, '.CaixaCookies')), { timeout: 8000, what: 'the unknown banner hidden' });
      await eventually(async () => page.evaluate(() => getComputedStyle(document.querySelector('.CaixaCookies')).display === 'none'), { timeout: 10000, what: 'the unknown banner out of the layout' });
      assert.ok(await shown(page, 'main h1'), 'the article is still shown');
      const s = await eventually(async () => {
        const st = await consentState(h, SITE);
        return st.hidden.includes('.CaixaCookies') ? st : null;
      }, { what: 'the hidden selector reported' });
      assert.equal(s.cmp, null);
      const p = await popupConsent(h, SITE);
      assert.equal(p.state, 'hidden', p.text);
      await screenshot(p.popup, `consent/${BROWSER}-popup-hidden.png`);
      await p.popup.close();
      await page.close();
    });

    await t.test('a banner that keeps coming back is given up after a bounded number of tries', async () => {
      const max = 3;
      const since = Date.now();
      const page = await h.newPage();
      await page.goto(h.url(OTHER, '/consent/loop')).catch(() => {});
      const loads = () => web.log.filter((e) => e.t >= since && e.host === OTHER && e.path === '/consent/loop').length;
      const s = await eventually(async () => {
        const st = await consentState(h, OTHER).catch(() => null);
        return st?.status === 'gave-up' ? st : null;
      }, { timeout: 30000, interval: 250, what: 'the looping banner given up' });
      assert.equal(s.attempts, max);
      // The last decline may still reload the page once (its click was already made).
      await new Promise((r) => setTimeout(r, 1500));
      const settled = loads();
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(loads(), settled, 'no more reloads once given up');
      assert.ok(settled <= max + 1, `at most ${max + 1} page loads (${settled})`);
      const p = await popupConsent(h, OTHER);
      assert.equal(p.state, 'gave-up', p.text);
      assert.match(p.text, new RegExp(String(max)));
      await p.popup.close();
      await page.close();
    });

    await t.test('with the per-site switch off, the banners stay and nothing is chosen', async () => {
      // The popup's switch, as the user turns it off.
      const page0 = await open(h, SITE, '/consent/unknown');
      const p = await popupConsent(h, SITE);
      await p.popup.click('#consent-site');
      await p.popup.waitForFunction(() => document.getElementById('consent')?.dataset.state === 'off', { timeout: 5000 });
      await p.popup.close();
      await page0.close();
      const settings = await message(h, { type: 'getSettings' });
      assert.deepEqual(settings.consent.exceptions, [SITE]);
      // Fresh cookies: the earlier choices are gone.
      await h.evalBackground(async (host) => {
        const api = globalThis.browser ?? globalThis.chrome;
        for (const c of await api.cookies.getAll({ domain: host })) await api.cookies.remove({ url: `http://${host}${c.path}`, name: c.name });
      }, SITE);
      for (const [path, sel] of [['/consent/cookiebot', '#CybotCookiebotDialog'], ['/consent/onetrust', '#onetrust-banner-sdk'], ['/consent/unknown', '.CaixaCookies']]) {
        const page = await open(h, SITE, path);
        await new Promise((r) => setTimeout(r, 2500));
        assert.ok(await shown(page, sel), `${path}: the banner stays`);
        assert.equal(await cookieOf(page, 'CookieConsent'), null);
        assert.equal(await cookieOf(page, 'OptanonConsent'), null);
        await page.close();
      }
      const st = await consentState(h, SITE).catch(() => null);
      assert.ok(!st || st.policy.excepted);
      // Back on: handled again.
      await message(h, { type: 'setConsentException', site: SITE, excepted: false });
      const page = await open(h, SITE, '/consent/cookiebot');
      await eventually(() => cookieOf(page, 'CookieConsent'), { timeout: 10000, what: 'declined again' });
      await page.close();
    });

    await t.test('global switches off (options): banners stay', async () => {
      await message(h, { type: 'setSwitch', name: 'consent.auto_decline', on: false });
      await message(h, { type: 'setSwitch', name: 'consent.hide_banners', on: false });
      const page = await open(h, OTHER, '/consent/unknown');
      const ot = await open(h, OTHER, '/consent/onetrust');
      await new Promise((r) => setTimeout(r, 2500));
      assert.ok(await shown(page, '.CaixaCookies'));
      assert.ok(await shown(ot, '#onetrust-banner-sdk'));
      assert.equal(await cookieOf(ot, 'OptanonConsent'), null);
      await page.close();
      await ot.close();
      await message(h, { type: 'setSwitch', name: 'consent.auto_decline', on: true });
      await message(h, { type: 'setSwitch', name: 'consent.hide_banners', on: true });
    });

    await t.test('an allow-listed site is left alone', async () => {
      await message(h, { type: 'setProtection', site: OTHER, on: false });
      const page = await open(h, OTHER, '/consent/onetrust');
      await new Promise((r) => setTimeout(r, 2500));
      assert.ok(await shown(page, '#onetrust-banner-sdk'));
      assert.equal(await cookieOf(page, 'OptanonConsent'), null);
      const st = await consentState(h, OTHER);
      assert.equal(st.policy.allowlisted, true);
      await page.close();
      await message(h, { type: 'setProtection', site: OTHER, on: true });
    });
  } finally {
    await h.close();
  }
});
