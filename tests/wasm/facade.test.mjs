// Tests of the WASM facade as the extension uses it: the built package (extension/pkg), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as wasm from '../../extension/pkg/crumbwall_wasm.js';
import { urlDecider } from '../../extension/background/url-buffer.js';
import { initSync, Crumbwall, siteOfUrl, parseSite, version, categoryName, pixelPurposeName } from '../../extension/pkg/crumbwall_wasm.js';

const { memory } = initSync({ module: readFileSync(new URL('../../extension/pkg/crumbwall_wasm_bg.wasm', import.meta.url)) });

test('sites are normalised to registrable domains', () => {
  assert.equal(siteOfUrl('https://www.news.bbc.co.uk/a?b#c'), 'bbc.co.uk');
  assert.equal(siteOfUrl('http://site.test:8080/'), 'site.test');
  assert.equal(siteOfUrl('about:blank'), undefined);
  assert.equal(siteOfUrl('chrome://extensions'), undefined);
  assert.equal(parseSite('  WWW.Example.COM/path '), 'example.com');
  assert.throws(() => parseSite(''), /the site is empty/);
  assert.throws(() => parseSite('co.uk'), /public suffix/);
  assert.throws(() => parseSite('ftp://example.com'), /not a web address/);
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

test('first run gives defaults with no problems', () => {
  const c = new Crumbwall(undefined);
  assert.deepEqual(c.loadReport(), { problems: [], keepBackup: false, migratedFrom: null });
  assert.deepEqual(c.settings(), {
    version: 5,
    signals: { enabled: true, exceptions: [] },
    blocking: { advertising: true, statistical: true, social: true },
    allowlist: [],
    pixels: { block_unknown: true },
    links: { clean: true, skip_redirectors: true },
    cookies: { technical: 'allow', personalization: 'allow', advertising: 'block', statistical: 'block-third-party', social: 'block', unknown: 'block-third-party' },
    custom_filters: '',
    consent: { auto_decline: true, hide_banners: true, exceptions: [] },
  });
  assert.equal(c.signalsApply('http://site.test/'), true);
});

test('a corrupt stored blob is reported and asks for a backup', () => {
  const c = new Crumbwall('{"version":1,"signals":{"enabled":tru');
  const r = c.loadReport();
  assert.equal(r.keepBackup, true);
  assert.match(r.problems[0], /not valid JSON/);
  assert.equal(c.settings().signals.enabled, true);
  const partial = new Crumbwall('{"version":1,"signals":{"enabled":false,"exceptions":["ok.test","co.uk"]}}');
  assert.deepEqual(partial.settings().signals, { enabled: false, exceptions: ['ok.test'] });
  assert.equal(partial.loadReport().problems.length, 1);
});

test('exceptions drive rules, page-script excludes and the per-request decision', () => {
  const c = new Crumbwall(undefined);
  assert.equal(c.addSignalException('https://www.news.test/x'), 'news.test');
  assert.throws(() => c.addSignalException('not a site'), /not a valid domain/);
  assert.equal(c.signalsApply('http://news.test:1234/'), false);
  assert.equal(c.signalsApply('http://sub.news.test/'), false);
  assert.equal(c.signalsApply('http://site.test/'), true);
  assert.equal(c.signalsOnHost('www.news.test'), false);
  const rules = c.signalRules();
  assert.equal(rules.length, 2);
  assert.deepEqual(rules[0].condition, { resourceTypes: ['main_frame'], excludedRequestDomains: ['news.test'] });
  assert.deepEqual(rules[1].condition.excludedTopDomains, ['news.test']);
  assert.deepEqual(rules[0].action.requestHeaders, [
    { header: 'DNT', operation: 'set', value: '1' },
    { header: 'Sec-GPC', operation: 'set', value: '1' },
  ]);
  assert.deepEqual(c.signalScriptExcludes(), ['*://news.test/*', '*://*.news.test/*']);
  assert.deepEqual(Crumbwall.signalHeaders(), [['DNT', '1'], ['Sec-GPC', '1']]);
  assert.equal(c.removeSignalException('news.test'), true);
  assert.equal(c.signalsApply('http://news.test/'), true);
  c.setSignalsEnabled(false);
  assert.deepEqual(c.signalRules(), []);
  assert.equal(c.signalsApply('http://site.test/'), false);
  const saved = c.settingsJson();
  assert.deepEqual(new Crumbwall(saved).settings(), c.settings());
});

test('a bad import throws and changes nothing', () => {
  const c = new Crumbwall(undefined);
  c.addSignalException('keep.test');
  const before = c.settingsJson();
  assert.throws(() => c.importSettings('{"version":1,"signals":{"exceptions":["a.test",""]}}'), /exceptions\[1\].*empty/);
  assert.throws(() => c.importSettings('[]'), /JSON object/);
  assert.throws(() => c.importSettings('{"version":7}'), /newer Crumbwall/);
  assert.equal(c.settingsJson(), before);
  c.importSettings('{"version":1,"signals":{"enabled":false,"exceptions":["b.test"]}}');
  assert.deepEqual(c.settings().signals, { enabled: false, exceptions: ['b.test'] });
});

test('the URL-buffer path decides exactly as decide, also after the memory grows', () => {
  const c = new Crumbwall(undefined);
  c.loadBlocker(readFileSync(new URL('../../extension/engine/blocker.bin', import.meta.url)));
  c.allowSite('allowed.test');
  // Counts which export answered: the buffer path (decideWritten) or the string path (decide).
  const calls = { written: 0, string: 0 };
  const fast = urlDecider({
    decide: (...a) => { calls.string += 1; return c.decide(...a); },
    decideWritten: (...a) => { calls.written += 1; return c.decideWritten(...a); },
    urlBufferPtr: () => c.urlBufferPtr(),
    urlBufferLen: () => c.urlBufferLen(),
  }, memory);
  const page = 'http://site.test/';
  const cases = [
    ['http://ads.test/ads.js', 'script'],
    ['http://analytics.test/analytics.js', 'script'],
    ['https://www.google-analytics.com/analytics.js', 'script'],
    ['http://site.test/static/app.js', 'script'],
    ['http://pixel.test/p.gif?uid=1234567890abcdef&cb=99', 'image'],
    ['http://ads.test/bücher/straße.js', 'script'],
    ['http://ads.test/x.js?q=\ud800', 'script'],
    ['not a url', 'script'],
    ['', 'image'],
    [`http://ads.test/${'a'.repeat(40 * 1024)}.js`, 'script'],
  ];
  const check = () => {
    for (const [u, type] of cases) {
      for (const source of [page, 'http://allowed.test/', '']) {
        assert.equal(fast(u, source, type, source), c.decide(u, source, type, source), `${u.slice(0, 60)} from ${source}`);
      }
    }
  };
  check();
  calls.written = 0;
  assert.equal(fast('http://ads.test/ads.js', page, 'script', page), 16);
  assert.equal(calls.written, 1, 'a URL that fits goes through the buffer');
  calls.string = 0;
  assert.equal(fast(`http://ads.test/${'a'.repeat(40 * 1024)}.js`, page, 'script', page), 0);
  assert.equal(calls.string, 1, 'a URL longer than the buffer goes as a string');
  memory.grow(1); // detaches the old buffer: the decider must view the new one
  check();
  calls.written = 0;
  assert.equal(fast('http://ads.test/ads.js', page, 'script', page), 16);
  assert.equal(calls.written, 1, 'the buffer path again after the memory grew');
  // Hostile lengths and bytes through the raw export: allowed (0), never a trap.
  assert.equal(c.decideWritten(c.urlBufferLen() + 1, page, 'script', page), 0);
  assert.equal(c.decideWritten(-1, page, 'script', page), 0);
  new Uint8Array(memory.buffer, c.urlBufferPtr(), 4).set([0xff, 0xfe, 0x68, 0x74]);
  assert.equal(c.decideWritten(4, page, 'script', page), 0);
  assert.equal(fast(42, page, 'script', page), c.decide(42, page, 'script', page));
});

test('blocking: decisions by category, switches, allow list, damaged engine files', () => {
  const c = new Crumbwall(undefined);
  assert.equal(c.hasBlocker(), false);
  assert.equal(c.decide('http://ads.test/ads.js', 'http://site.test/', 'script', 'http://site.test/'), 0, 'no engine: allowed');
  assert.throws(() => c.loadBlocker(new Uint8Array([1, 2, 3])), /bad header/);
  c.loadBlocker(readFileSync(new URL('../../extension/engine/blocker.bin', import.meta.url)));
  assert.equal(c.hasBlocker(), true);
  const page = 'http://site.test/';
  const code = (u, type = 'script') => c.decide(u, page, type, page);
  assert.equal(code('http://ads.test/ads.js'), 16, 'advertising blocked');
  assert.equal(categoryName(code('http://analytics.test/analytics.js') - 16), 'statistical');
  assert.equal(code('http://site.test/static/app.js'), 0, 'first party allowed');
  assert.equal(code('https://www.google-analytics.com/analytics.js') >= 16, true, 'a real tracker from the lists');
  c.setCategory('advertising', false);
  assert.deepEqual(c.enabledCategories(), ['statistical', 'social']);
  assert.equal(code('http://ads.test/ads.js'), 0);
  assert.throws(() => c.setCategory('cookies', true), /not a blocking category/);
  c.setCategory('advertising', true);
  assert.equal(c.allowSite('https://www.site.test/x'), 'site.test');
  assert.equal(code('http://ads.test/ads.js'), 32, 'allowed by the site exception (would be advertising)');
  assert.deepEqual(c.allowlistRules().map((r) => r.action.type), ['allowAllRequests', 'allow', 'allow']);
  assert.throws(() => c.importAllowlist('["ok.test", 1]'), /allowlist\[1\]/);
  assert.deepEqual(c.settings().allowlist, ['site.test']);
  assert.equal(c.importAllowlist('{"allowlist":["a.test"]}'), 1);
  assert.equal(c.protectSite('a.test'), true);
  assert.equal(c.categoryOfHost('www.doubleclick.net'), 'advertising');
  assert.equal(c.categoryOfHost('example.org'), undefined);
});

test('hostile values from JavaScript never trap the instance, through every export', () => {
  const c = new Crumbwall(undefined);
  const huge = 'a.'.repeat(2_000_000) + 'test';
  const hostile = [undefined, null, 42, -1, NaN, {}, [], [1, 'x'], true, '\uD800', '\uDFFF\uD800x.test', huge, 'http://\u0000/', '💥.test', 'http://[::1', new Uint8Array([0xff, 0, 1])];
  // Every method of the instance and every module function, found by reflection, so a new
  // export is covered the day it is added. Arguments: the hostile value in every position.
  const skip = new Set(['constructor', 'free', '__destroy_into_raw', '__wbg_ptr']);
  const methods = Object.getOwnPropertyNames(Crumbwall.prototype).filter((n) => !skip.has(n) && typeof Crumbwall.prototype[n] === 'function');
  const statics = Object.getOwnPropertyNames(Crumbwall).filter((n) => typeof Crumbwall[n] === 'function' && !['length', 'name', 'prototype', '__wrap'].includes(n));
  const functions = Object.entries(wasm).filter(([n, f]) => typeof f === 'function' && !['default', 'initSync', 'Crumbwall'].includes(n) && !n.startsWith('__'));
  assert.ok(methods.length >= 40, `found ${methods.length} methods`);
  let calls = 0;
  const attempt = (label, call) => {
    calls += 1;
    try {
      call();
    } catch (e) {
      // A thrown Error is fine; a trap (RuntimeError: unreachable) is not.
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `trap in ${label}: ${e}`);
    }
  };
  for (const v of hostile) {
    for (const m of methods) attempt(`${m}(${String(v).slice(0, 20)})`, () => c[m](v, v, v, v, v));
    for (const m of statics) attempt(`Crumbwall.${m}`, () => Crumbwall[m](v, v, v));
    for (const [n, f] of functions) attempt(n, () => f(v, v, v));
    attempt('new Crumbwall', () => new Crumbwall(v).loadReport());
  }
  console.log(`# ${calls} hostile calls over ${methods.length} methods, ${statics.length} static and ${functions.length} module functions`);
  // Still alive and correct afterwards (the calls above may have changed settings: start over).
  const fresh = new Crumbwall(undefined);
  assert.equal(fresh.signalsApply('http://site.test/'), true);
  assert.equal(siteOfUrl('https://a.example.org/'), 'example.org');
  assert.equal(typeof c.settingsJson(), 'string');
});

test('pixels and tracked links through the facade', () => {
  const c = new Crumbwall(undefined);
  c.loadBlocker(readFileSync(new URL('../../extension/engine/blocker.bin', import.meta.url)));
  const page = 'http://site.test/';
  // A pixel-shaped image from an unknown third party (no list matches it): 48 + 4, "unknown".
  const hit = 'http://collector.example/hit.gif?id=a1b2c3d4e5f60718&r=1700000000000&x=1';
  assert.equal(c.decide(hit, page, 'image', page, 'GET'), 52);
  assert.equal(pixelPurposeName(4), 'unknown');
  assert.equal(c.listsBlock(hit, page, 'image'), false);
  c.setSwitch('pixels.block_unknown', false);
  assert.equal(c.decide(hit, page, 'image', page, 'GET'), 0, 'switch off');
  // A beacon is always a beacon (here the lists or the switch block it: 48..55).
  c.setSwitch('pixels.block_unknown', true);
  const beacon = c.decide('http://collector.example/b', page, 'ping', page, 'POST');
  assert.ok(beacon >= 48 && beacon < 56, `beacon blocked as a pixel (${beacon})`);
  assert.throws(() => c.setSwitch('pixels.nope', true), /not a switch/);
  // A host seen serving a tiny image: its images become pixels.
  c.setSwitch('pixels.block_unknown', true);
  assert.equal(c.decide('http://img.example/a/logo.gif', page, 'image', page), 0);
  assert.equal(c.markPixelHost('IMG.example'), true);
  assert.deepEqual(c.pixelHosts(), ['img.example']);
  assert.equal(c.decide('http://img.example/a/logo.gif', page, 'image', page), 52);
  assert.ok(Array.isArray(c.pixelRules()) && c.pixelRules().length > 0);
  // Links.
  assert.equal(c.rewriteNavigation('http://site.test/page?utm_source=x&id=5', 'main_frame', ''), 'http://site.test/page?id=5');
  assert.equal(c.rewriteNavigation('http://site.test/page?id=5', 'main_frame', ''), undefined);
  assert.equal(c.skipRedirector('https://l.facebook.com/l.php?u=https%3A%2F%2Fnews.test%2Fa%3Ffbclid%3D1'), 'https://news.test/a');
  const rules = c.linkRules('chrome-extension://abc/extension/pages/skip.html');
  assert.ok(rules.some((r) => r.action.redirect?.regexSubstitution?.startsWith('chrome-extension://abc/')));
  c.setSwitch('links.clean', false);
  assert.equal(c.rewriteNavigation('http://site.test/page?utm_source=x&id=5', 'main_frame', ''), undefined);
});

test('cookie rules per purpose are settings like any other', () => {
  const c = new Crumbwall(undefined);
  c.setCookieRule('personalization', 'session');
  assert.equal(c.settings().cookies.personalization, 'session');
  assert.throws(() => c.setCookieRule('ads', 'block'), /not a cookie purpose/);
  assert.throws(() => c.setCookieRule('social', 'sometimes'), /not a cookie rule/);
  const again = new Crumbwall(c.settingsJson());
  assert.equal(again.settings().cookies.personalization, 'session');
});

test('cookies: judged as the cookies API reports them, header rules, hostile values', () => {
  const c = new Crumbwall(undefined);
  const now = 1_800_000_000;
  const cookie = (name, domain, extra = {}) => ({ name, value: 'v', domain, path: '/', secure: true, httpOnly: false, sameSite: 'lax', session: false, expirationDate: now + 400 * 86400, storeId: '0', hostOnly: false, ...extra });
  const open = ['site.test'];

  const ga = c.judgeCookie(cookie('_ga', '.site.test'), open, [], now);
  assert.deepEqual([ga.purpose, ga.thirdParty, ga.action, ga.site, ga.context], ['statistical', false, 'keep', 'site.test', 'site.test']);
  assert.match(ga.reason, /_ga/);
  assert.ok(ga.confidence > 0.5 && ga.confidence <= 1);
  assert.equal(c.judgeCookie(cookie('_fbp', '.site.test'), open, [], now).action, 'remove');
  const ad = c.judgeCookie(cookie('ad_id', 'ads.test'), open, ['site.test'], now);
  assert.deepEqual([ad.purpose, ad.thirdParty, ad.context, ad.action], ['advertising', true, 'site.test', 'remove']);
  // A partitioned cookie names its top-level site itself.
  const part = c.judgeCookie(cookie('zq', 'ads.test', { partitionKey: { topLevelSite: 'https://news.test' } }), ['ads.test'], [], now);
  assert.deepEqual([part.thirdParty, part.context], [true, 'news.test']);

  // The policy and the allow list change the verdict.
  c.setCookieRule('statistical', 'session');
  assert.equal(c.judgeCookie(cookie('_ga', '.site.test'), open, [], now).action, 'remove-at-session-end');
  c.allowSite('site.test');
  const kept = c.judgeCookie(cookie('ad_id', 'ads.test'), open, ['site.test'], now);
  assert.deepEqual([kept.allowlisted, kept.action], [true, 'keep']);

  // Cookie header rules (Chromium) and the per-request decision (Firefox) agree.
  const fresh = new Crumbwall(undefined);
  const rules = fresh.cookieRules();
  assert.equal(rules.length, 3);
  assert.ok(rules.every((r) => r.id >= 5000 && r.id < 5100 && r.action.type === 'modifyHeaders' && r.condition.domainType === 'thirdParty'));
  assert.deepEqual(rules[0].action.responseHeaders, [{ header: 'set-cookie', operation: 'remove' }]);
  assert.equal(fresh.stripsCookieHeaders('https://ads.test/banner.png', 'https://site.test/'), true);
  assert.equal(fresh.stripsCookieHeaders('https://site.test/api', 'https://site.test/'), false);
  fresh.setCookieRule('advertising', 'allow');
  assert.equal(fresh.stripsCookieHeaders('https://ads.test/banner.png', 'https://site.test/'), false);
  assert.equal(fresh.cookieRules().length, 2);

  // The build's Open Cookie Database table is read, and used after the curated names.
  assert.equal(fresh.loadCookieKnowledge('# comment\nzz_vendor_id\tadvertising\tVendor\nbad line\n'), 1);
  const zz = fresh.judgeCookie(cookie('zz_vendor_id', 'site.test'), open, [], now);
  assert.deepEqual([zz.purpose, zz.reason], ['advertising', 'known name `zz_vendor_id` (Vendor)']);

  // Hostile values: a clear error or a verdict, never a trap; the instance stays usable.
  for (const bad of [null, undefined, 42, 'x', [], { name: 5 }]) {
    try {
      c.judgeCookie(bad, open, [], now);
    } catch (e) {
      assert.match(String(e.message ?? e), /not a cookie/);
    }
  }
  for (const odd of [cookie('', ''), cookie('ü', '127.0.0.1', { value: 'x'.repeat(4096) }), cookie('a', 'localhost', { expirationDate: Infinity }), cookie('a', '.', { expirationDate: -1e300 })]) {
    const v = c.judgeCookie(odd, open, [], now);
    assert.ok(['keep', 'remove', 'remove-at-session-end'].includes(v.action));
  }
  assert.equal(c.stripsCookieHeaders(undefined, 5), false);
  assert.throws(() => c.loadCookieKnowledge(7), /must be a string/);
  assert.equal(c.judgeCookie(cookie('_ga', '.site.test'), open, [], now).purpose, 'statistical');
});

test('custom filters: per-line errors, Chromium rules, Firefox decisions, limits', () => {
  const c = new Crumbwall(undefined);
  assert.equal(c.decideCustom('https://tracker.test/t.js', 'https://news.test/', 'script', 'https://news.test/'), 0);
  const r = c.setCustomFilters('||tracker.test^\n@@||ads.test/ok.js\nnews.test##.ad\n||x.test^$popup\n');
  assert.equal(r.filters, 3);
  assert.ok(r.rules >= 2);
  assert.deepEqual(r.errors.map((e) => e.line), [3, 4]);
  assert.equal(c.settings().custom_filters.split('\n')[0], '||tracker.test^');
  const rules = c.customRules();
  assert.ok(rules.length >= 2 && rules.every((x) => x.id >= 10000));
  const page = 'https://news.test/';
  assert.equal(c.decideCustom('https://tracker.test/t.js', page, 'script', page), 64);
  assert.equal(c.decideCustom('https://ads.test/ok.js', page, 'script', page), 65);
  assert.equal(c.decideCustom('https://cdn.test/lib.js', page, 'script', page), 0);
  c.allowSite('news.test');
  assert.equal(c.decideCustom('https://tracker.test/t.js', page, 'script', page), 0);
  // Survives a reload of the settings, and an import replaces it.
  const again = new Crumbwall(c.settingsJson());
  assert.equal(again.customFilters().filters, 3);
  again.importSettings('{"version":4,"custom_filters":"||other.test^"}');
  assert.equal(again.decideCustom('https://tracker.test/t.js', 'https://a.test/', 'script', 'https://a.test/'), 0);
  assert.equal(again.decideCustom('https://other.test/t.js', 'https://a.test/', 'script', 'https://a.test/'), 64);
  // Too big, or not text: an error, nothing changed.
  assert.throws(() => again.setCustomFilters('x'.repeat(300 * 1024)), /limited/);
  assert.throws(() => again.setCustomFilters(42), /must be a string/);
  assert.equal(again.customFilters().text, '||other.test^');
  for (const v of [undefined, null, 5, {}]) assert.equal(again.decideCustom(v, v, v, v), 0);
});

test('consent banners: policy, per-site exception, switches, the cookie-notice filters and hostile values', () => {
  const c = new Crumbwall(undefined);
  assert.deepEqual(c.consentPolicy('https://www.site.test/x'), { autoDecline: true, hideBanners: true, excepted: false, allowlisted: false });
  assert.equal(c.setConsentException('https://www.site.test/x', true), 'site.test');
  assert.deepEqual(c.settings().consent.exceptions, ['site.test']);
  assert.deepEqual(c.consentPolicy('https://site.test/'), { autoDecline: false, hideBanners: false, excepted: true, allowlisted: false });
  assert.equal(c.setConsentException('site.test', false), 'site.test');
  assert.throws(() => c.setConsentException('not a site', true));
  assert.throws(() => c.setConsentException(7, true), /must be a string/);
  c.setSwitch('consent.hide_banners', false);
  assert.deepEqual(c.consentPolicy('https://site.test/'), { autoDecline: true, hideBanners: false, excepted: false, allowlisted: false });
  c.allowSite('news.test');
  assert.equal(c.consentPolicy('https://news.test/').allowlisted, true);
  assert.equal(c.consentPolicy('https://news.test/').autoDecline, false);
  for (const v of [undefined, null, 5, {}, 'chrome://newtab']) assert.equal(c.consentPolicy(v).autoDecline, false);
  // The cookie-notice filters: empty before they are loaded; a damaged file throws.
  assert.deepEqual(c.bannerSelectors('https://site.test/'), { hide: [], exceptions: [], generichide: false });
  assert.deepEqual(c.bannerClassIdSelectors(['CaixaCookies'], [], []), []);
  assert.throws(() => c.loadBannerHider(new Uint8Array([1, 2, 3])), /banner filters/);
  const bin = new URL('../../extension/engine/consent.bin', import.meta.url);
  if (existsSync(bin)) {
    c.loadBannerHider(readFileSync(bin));
    assert.deepEqual(c.bannerClassIdSelectors(['CaixaCookies', 'nothing-here'], [], []), ['.CaixaCookies']);
    const page = c.bannerSelectors('https://site.test/');
    assert.ok(Array.isArray(page.hide) && Array.isArray(page.exceptions) && typeof page.generichide === 'boolean');
    assert.deepEqual(c.bannerSelectors(undefined).hide, []);
  }
  assert.equal(Crumbwall.bannerStyleSheet(['.a', 'b{}'], false), '.a{display:none!important}\n');
  assert.equal(Crumbwall.bannerStyleSheet(['.a'], true), '.a{opacity:0!important;pointer-events:none!important}\n');
  assert.equal(Crumbwall.consentMaxAttempts(), 3);
  // Migration from schema 4 keeps everything and adds the defaults.
  const old = new Crumbwall('{"version":4,"allowlist":["a.test"],"custom_filters":"||x.test^"}');
  assert.equal(old.loadReport().migratedFrom, 4);
  assert.deepEqual(old.settings().consent, { auto_decline: true, hide_banners: true, exceptions: [] });
});

test('cookie reasons: every key has an English text that reproduces the core reason, and a German one', () => {
  const messages = (lang) => JSON.parse(readFileSync(new URL(`../../_locales/${lang}/messages.json`, import.meta.url), 'utf8'));
  const en = messages('en');
  const de = messages('de');
  const c = new Crumbwall(undefined);
  const now = 1_800_000_000;
  const year = now + 400 * 86400;
  const cases = [
    ['_ga', '.site.test', year], ['_ga_ABC', '.site.test', year], ['ad_id', 'ads.test', year], ['zz', 'analytics.test', year],
    ['my_csrf_token', 'site.test', year], ['lang', 'site.test', year], ['pubmatic_uid', 'site.test', year],
    ['visitor_id', 'site.test', year], ['visitor_id', 'other.test', year], ['zq', 'site.test', null], ['zq', 'site.test', now + 3600],
    ['zq', 'site.test', year], ['__Host-x', 'site.test', year], ['prefs', 'site.test', year, '{"a":1}'], ['seen', 'site.test', year, '1700000000'],
    ['tok', 'other.test', year, 'a8f3c9d2e1b47f60a8f3c9d2e1b47f60'], ['x', 'site.test', year, 'GA1.2.3.4'], ['y', 'site.test', year, 'fb.1.2.3'],
  ];
  const keys = new Set();
  for (const [name, domain, expires, value = 'v'] of cases) {
    const cookie = { name, value, domain, path: '/', session: expires === null, expirationDate: expires ?? undefined };
    const v = c.judgeCookie(cookie, ['site.test'], domain === 'site.test' || domain === '.site.test' ? [] : ['site.test'], now);
    const key = `why_${v.why.key.replaceAll('-', '_')}`;
    keys.add(key);
    assert.ok(en[key], `English text for ${key}`);
    assert.ok(de[key], `German text for ${key}`);
    let text = en[key].message.replace(/\$(\d)/g, (_, i) => v.why.args[Number(i) - 1] ?? '');
    if (v.why.owner) text += ` (${v.why.owner})`;
    assert.equal(text, v.reason, `${name}@${domain}: ${key}`);
    for (const a of v.why.args) assert.ok(v.reason.includes(a));
  }
  assert.ok(keys.size >= 12, `${keys.size} reason kinds covered`);
  // Every why_ key in one language is in the other.
  for (const k of Object.keys(en).filter((k) => k.startsWith('why'))) assert.ok(de[k], `German ${k}`);
});
