// Crumbwall local test web.
//
// One Node http server on 127.0.0.1 that plays several fake web sites, chosen by the Host
// header (the port in it is ignored): two publishers (site.test / www.site.test and
// news.test, identical page structure), an ad network (ads.test), analytics
// (analytics.test), social widgets (social.test) and a tracking-pixel server (pixel.test).
// Browsers reach these names through a host-resolver rule (Chromium) or
// network.dns.localDomains (Firefox), see tests/e2e/lib/browsers.mjs.
//
// Every request that can be parsed is appended to `log`, every Set-Cookie the server sends is
// appended to `cookiesSet`, so tests can assert what actually crossed the wire.
// See tests/web/README.md for the list of hosts and paths.
//
// Adding a page: write a small function returning HTML (see the `page*` functions), then add a
// route to ROUTES (or pass `extraRoutes` to startTestWeb). A route is
// `{ kind, handler(ctx) }`; `kind` is the resource type logged for requests to it.

import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { execFileSync } from 'node:child_process';

/** Host name -> role. `www.site.test` is the same publisher as `site.test`. */
export const HOST_ROLES = Object.freeze({
  'site.test': 'publisher',
  'www.site.test': 'publisher',
  'news.test': 'publisher',
  'ads.test': 'ads',
  'analytics.test': 'analytics',
  'social.test': 'social',
  'pixel.test': 'pixel',
});

/** All host names the test web answers for (for DNS mapping in browsers). */
export const TEST_HOSTS = Object.freeze(Object.keys(HOST_ROLES));

/** Publishers that publish /.well-known/gpc.json (others answer 404). */
export const GPC_JSON_HOSTS = Object.freeze(['site.test', 'www.site.test']);

const ONE_YEAR = 365 * 24 * 3600;

// ---------------------------------------------------------------------------------------------
// Binary assets

/** A valid 1x1 transparent GIF (the classic tracking pixel). */
export const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * Builds a valid solid-colour RGB PNG.
 * @param {number} width
 * @param {number} height
 * @param {[number, number, number]} rgb
 * @returns {Buffer}
 */
export function makePng(width, height, [r, g, b]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const LOGO_PNG = makePng(120, 32, [40, 90, 160]);
const BANNER_PNG = makePng(300, 50, [230, 120, 20]);

// ---------------------------------------------------------------------------------------------
// Small helpers for page generation

const rand = () => crypto.randomBytes(8).toString('hex');

/**
 * Escapes text for HTML.
 * @param {unknown} s
 * @returns {string}
 */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * The inline probe script. It MUST be the first element of <head>: it records what the page
 * sees in navigator.doNotTrack / navigator.globalPrivacyControl at that moment and reports it
 * to `/__probe` on the page's own host with fetch(keepalive) (not sendBeacon, which later tests
 * block). The values are also kept in `window.__crumbwallProbe`, and the fetch promise is
 * pushed to `window.__pending` so the "ready" script waits for it.
 * @param {string} frame label reported as `frame=` (top, same, social, ...)
 * @returns {string} HTML
 */
export function probeScript(frame) {
  return `<script>(function(){
var dnt = String(navigator.doNotTrack), gpc = String(navigator.globalPrivacyControl);
window.__crumbwallProbe = { frame: ${JSON.stringify(frame)}, dnt: dnt, gpc: gpc };
var u = '/__probe?frame=' + encodeURIComponent(${JSON.stringify(frame)}) + '&dnt=' + encodeURIComponent(dnt) + '&gpc=' + encodeURIComponent(gpc);
window.__pending = window.__pending || [];
try { window.__pending.push(fetch(u, { keepalive: true, cache: 'no-store' }).catch(function(){})); }
catch (e) { (new Image()).src = u; }
})();</script>`;
}

/**
 * Script at the end of <body>: sets document.title = 'ready' after the load event and once
 * the page's own pending requests (probe, /api/data, storage writes) have settled (max 5 s).
 * @returns {string} HTML
 */
export function readyScript() {
  return `<script>
window.addEventListener('load', function () {
  var pending = (window.__pending || []).map(function (p) { return Promise.resolve(p).catch(function(){}); });
  var appDone = new Promise(function (res) {
    var t0 = Date.now();
    (function poll() { if (window.__appDone || !document.querySelector('script[src$="/static/app.js"]') || Date.now() - t0 > 3000) res(); else setTimeout(poll, 20); })();
  });
  var cap = new Promise(function (res) { setTimeout(res, 5000); });
  Promise.race([Promise.all(pending.concat([appDone])), cap]).then(function () { document.title = 'ready'; });
});
</script>`;
}

/**
 * First-party storage writes done by JS: cookie `cart`, localStorage, IndexedDB `crumbwall-test`.
 * @returns {string} HTML
 */
export function firstPartyStorageScript() {
  return `<script>
document.cookie = 'cart=3; path=/';
try { localStorage.setItem('crumbwall-test', '1'); } catch (e) {}
window.__pending = window.__pending || [];
window.__pending.push(new Promise(function (res) {
  try {
    var rq = indexedDB.open('crumbwall-test', 1);
    rq.onupgradeneeded = function () { rq.result.createObjectStore('kv'); };
    rq.onsuccess = function () {
      try {
        var tx = rq.result.transaction('kv', 'readwrite');
        tx.objectStore('kv').put('1', 'visited');
        tx.oncomplete = function () { rq.result.close(); res(true); };
        tx.onerror = function () { res(false); };
      } catch (e) { res(false); }
    };
    rq.onerror = function () { res(false); };
  } catch (e) { res(false); }
}));
</script>`;
}

/**
 * The embeds every publisher page carries: first-party css/js/img, same-site iframe and the
 * third parties (ads script, analytics script, social iframe, pixel).
 * @param {(host: string) => string} origin
 * @returns {string} HTML
 */
export function publisherEmbeds(origin) {
  return `
<p><img src="/static/logo.png" alt="logo" width="120" height="32"></p>
<script src="/static/app.js"></script>
<div class="embeds">
  <div class="slot"><div class="label">same-site frame</div><iframe src="/frame" width="300" height="60" title="same-site frame"></iframe></div>
  <div class="slot"><div class="label">social.test like widget</div><iframe src="${origin('social.test')}/widget/like" width="300" height="60" title="like"></iframe></div>
  <div class="slot" id="ad-slot"><div class="label">ads.test banner</div></div>
</div>
<script src="${origin('ads.test')}/ads.js"></script>
<script src="${origin('analytics.test')}/analytics.js"></script>
<img src="${origin('pixel.test')}/p.gif?uid=123&amp;ev=pageview" width="1" height="1" alt="">`;
}

/** Wraps a publisher body in a full document with the probe as FIRST head element. */
function publisherDocument({ title, frame = 'top', body, storage = true }) {
  return `<!doctype html>
<html lang="en"><head>${probeScript(frame)}
<meta charset="utf-8">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/static/site.css">
</head><body>
${storage ? firstPartyStorageScript() : ''}
${body}
${readyScript()}
</body></html>`;
}

/**
 * Publisher article page (`/`, `/page`).
 * @param {{host: string, origin: (host: string) => string}} ctx
 * @returns {string} HTML
 */
export function pagePublisher(ctx) {
  return publisherDocument({
    title: `${ctx.host} - loading`,
    body: `<h1>${esc(ctx.host)}</h1>
<article><p>A normal news article with the usual trackers around it.</p></article>
${publisherEmbeds(ctx.origin)}`,
  });
}

/**
 * Human-friendly demo page (`site.test/demo`).
 * @param {{host: string, origin: (host: string) => string}} ctx
 * @returns {string} HTML
 */
export function pageDemo(ctx) {
  return publisherDocument({
    title: 'Crumbwall demo - loading',
    body: `<h1>Crumbwall demo</h1>
<p>This page behaves like a typical publisher page. It embeds an <b>ad network</b>
(ads.test), an <b>analytics</b> script (analytics.test), a <b>social like button</b>
(social.test) and an invisible <b>tracking pixel</b> (pixel.test). Crumbwall should block the
trackers, keep first-party things (login session, language, cart) working, and tell sites
that you do not want to be tracked or have your data sold (DNT and Global Privacy Control).</p>
<div id="signals" class="signals">What this page saw when it started loading:
  <div>navigator.doNotTrack = <code id="dnt">?</code></div>
  <div>navigator.globalPrivacyControl = <code id="gpc">?</code></div>
</div>
<script>
document.getElementById('dnt').textContent = window.__crumbwallProbe.dnt;
document.getElementById('gpc').textContent = window.__crumbwallProbe.gpc;
</script>
${publisherEmbeds(ctx.origin)}`,
  });
}

/**
 * First-party cookies the cookie page writes with `document.cookie`, one per purpose
 * (statistical `_ga`, advertising `_gcl_au` / `_fbp`); `cart` comes from the storage script.
 * @returns {string} HTML
 */
export function firstPartyJsCookiesScript() {
  return `<script>
(function () {
  var ts = Math.floor(Date.now() / 1000), r = function () { return String(Math.floor(Math.random() * 1e9)); };
  document.cookie = '_ga=GA1.1.' + r() + '.' + ts + '; path=/; max-age=${2 * ONE_YEAR}';
  document.cookie = '_gcl_au=1.1.' + r() + '.' + ts + '; path=/; max-age=${90 * 24 * 3600}';
  document.cookie = '_fbp=fb.1.' + ts + '000.' + r() + '; path=/; max-age=${90 * 24 * 3600}';
})();
</script>`;
}

/**
 * Cookie page (`/cookies`): cookies of every purpose, first and third party, plus
 * localStorage and IndexedDB (see tests/web/README.md for the table of names and purposes).
 * @param {{host: string, origin: (host: string) => string}} ctx
 * @returns {string} HTML
 */
export function pageCookies(ctx) {
  return publisherDocument({
    title: `${ctx.host} cookies - loading`,
    body: `<h1>${esc(ctx.host)} - cookies of every purpose</h1>
${firstPartyJsCookiesScript()}
<div class="embeds">
  <div class="slot"><div class="label">social.test like widget</div><iframe src="${ctx.origin('social.test')}/widget/like" width="300" height="60" title="like"></iframe></div>
  <div class="slot" id="ad-slot"><div class="label">ads.test banner</div></div>
</div>
<script src="${ctx.origin('ads.test')}/ads.js"></script>
<script src="${ctx.origin('analytics.test')}/analytics.js"></script>`,
  });
}

/**
 * Same-site iframe document (`/frame`).
 * @returns {string} HTML
 */
export function pageFrame() {
  return `<!doctype html><html><head>${probeScript('same')}<meta charset="utf-8"><title>frame</title></head>
<body style="margin:0;font:14px sans-serif;background:#eef">same-site frame</body></html>`;
}

/**
 * Tracker-free page (`/plain`): no third parties, no cookies, no storage.
 * @param {{host: string}} ctx
 * @returns {string} HTML
 */
export function pagePlain(ctx) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>plain - loading</title>
<link rel="stylesheet" href="/static/site.css"></head><body>
<h1>${esc(ctx.host)} - plain page</h1>
${'<p>Plain text paragraph without any third party content.</p>\n'.repeat(20)}
<script>window.addEventListener('load', function () { document.title = 'ready'; });</script>
</body></html>`;
}

/**
 * Social widget document (`social.test/widget/like`, `/widget/share`).
 * @param {object} ctx
 * @param {'like'|'share'} what
 * @returns {string} HTML
 */
export function pageSocialWidget(ctx, what) {
  return `<!doctype html><html><head>${probeScript('social')}<meta charset="utf-8"><title>${what}</title></head>
<body style="margin:0;font:14px sans-serif">
<button id="${what}" style="background:#3b5998;color:#fff;border:0;padding:6px 12px">${what === 'like' ? 'Like' : 'Share'} (social.test)</button>
</body></html>`;
}

const SITE_CSS = `body{font:15px/1.4 sans-serif;margin:20px;max-width:760px;color:#222}
h1{color:#285aa0}.embeds{display:flex;flex-wrap:wrap;gap:8px}.slot{border:1px dashed #999;padding:4px}
.label{font-size:11px;color:#666}.signals{border:2px solid #285aa0;padding:8px;margin:8px 0;background:#f4f8ff}
iframe{border:1px solid #ccc}`;

const APP_JS = `(function(){
var p = new Promise(function (res) {
  var x = new XMLHttpRequest();
  x.open('GET', '/api/data?t=' + Date.now());
  x.onloadend = function () { window.__appDone = true; res(); };
  x.send();
});
(window.__pending = window.__pending || []).push(p);
})();`;

function adsJs(origin) {
  return `(function(){
var img = new Image(300, 50);
img.src = ${JSON.stringify(origin('ads.test') + '/banner.png')};
img.alt = 'ad';
img.id = 'ad-banner';
var slot = document.getElementById('ad-slot');
(slot || document.body).appendChild(img);
})();`;
}

function analyticsJs(origin) {
  return `(function(){
var cid = Math.random().toString(36).slice(2);
var u = ${JSON.stringify(origin('analytics.test') + '/collect?v=1&tid=UA-1&cid=')} + cid;
var p = fetch(u, { mode: 'no-cors', credentials: 'include', keepalive: true }).catch(function(){});
(window.__pending = window.__pending || []).push(p);
})();`;
}

// ---------------------------------------------------------------------------------------------
// Routes

/** Reuses the incoming cookie value (like real trackers do) or makes a new random one. */
function trackerId(ctx, name, make = rand) {
  return ctx.cookies[name] || make();
}

/**
 * Attributes of a tracker's (third-party) cookie: over https also `SameSite=None; Secure`, as
 * real trackers send them (Chromium stores a cookie for a third-party context only then).
 */
function trackerAttrs(ctx, maxAge = ONE_YEAR) {
  return `Path=/; Max-Age=${maxAge}${ctx.secure ? '; SameSite=None; Secure' : ''}`;
}

function html(ctx, body) { ctx.send(200, 'text/html; charset=utf-8', body); }

/**
 * Route table: role -> path -> `{ kind, handler(ctx) }`. A handler uses ctx.send(...) /
 * ctx.setCookie(...) / ctx.notFound(). Extend per server with startTestWeb({extraRoutes}).
 * @type {Record<string, Record<string, {kind: string, handler: (ctx: object) => void}>>}
 */
export const ROUTES = {
  publisher: {
    '/': { kind: 'document', handler: (ctx) => publisherHome(ctx) },
    '/page': { kind: 'document', handler: (ctx) => publisherHome(ctx) },
    '/demo': { kind: 'document', handler: (ctx) => publisherDemo(ctx) },
    '/plain': { kind: 'document', handler: (ctx) => html(ctx, pagePlain(ctx)) },
    '/cookies': { kind: 'document', handler: (ctx) => publisherCookiePage(ctx) },
    '/frame': { kind: 'iframe', handler: (ctx) => html(ctx, pageFrame(ctx)) },
    '/__probe': { kind: 'xhr', handler: (ctx) => ctx.send(204, 'text/plain', '') },
    '/api/data': { kind: 'xhr', handler: (ctx) => ctx.send(200, 'application/json', JSON.stringify({ ok: true, items: [1, 2, 3] })) },
    '/static/site.css': { kind: 'style', handler: (ctx) => ctx.send(200, 'text/css', SITE_CSS) },
    '/static/app.js': { kind: 'script', handler: (ctx) => ctx.send(200, 'application/javascript', APP_JS) },
    '/static/logo.png': { kind: 'image', handler: (ctx) => ctx.send(200, 'image/png', LOGO_PNG) },
    '/.well-known/gpc.json': {
      kind: 'other',
      handler: (ctx) => (GPC_JSON_HOSTS.includes(ctx.host)
        ? ctx.send(200, 'application/json', JSON.stringify({ gpc: true, lastUpdate: '2026-01-01' }))
        : ctx.notFound()),
    },
  },
  ads: {
    '/ads.js': { kind: 'script', handler: (ctx) => { ctx.setCookie('ad_id', trackerId(ctx, 'ad_id'), trackerAttrs(ctx)); ctx.send(200, 'application/javascript', adsJs(ctx.origin)); } },
    '/banner.png': { kind: 'image', handler: (ctx) => { ctx.setCookie('ad_id', trackerId(ctx, 'ad_id'), trackerAttrs(ctx)); ctx.send(200, 'image/png', BANNER_PNG); } },
  },
  analytics: {
    '/analytics.js': { kind: 'script', handler: (ctx) => { setGa(ctx); ctx.send(200, 'application/javascript', analyticsJs(ctx.origin)); } },
    '/collect': { kind: 'xhr', handler: (ctx) => { setGa(ctx); ctx.send(204, 'text/plain', ''); } },
    // Not used by the pages yet: for later sendBeacon tests (navigator.sendBeacon(origin+'/beacon')).
    '/beacon': { kind: 'beacon', handler: (ctx) => { setGa(ctx); ctx.send(204, 'text/plain', ''); } },
  },
  social: {
    '/widget/like': { kind: 'iframe', handler: (ctx) => { setSocial(ctx); html(ctx, pageSocialWidget(ctx, 'like')); } },
    '/widget/share': { kind: 'iframe', handler: (ctx) => { setSocial(ctx); html(ctx, pageSocialWidget(ctx, 'share')); } },
    '/__probe': { kind: 'xhr', handler: (ctx) => ctx.send(204, 'text/plain', '') },
  },
  pixel: {
    '/p.gif': { kind: 'image', handler: (ctx) => { ctx.setCookie('px_uid', trackerId(ctx, 'px_uid'), trackerAttrs(ctx)); ctx.send(200, 'image/gif', GIF_1x1); } },
  },
};

function publisherCookies(ctx) {
  ctx.setCookie('session_id', ctx.cookies.session_id || rand(), 'Path=/; HttpOnly');
  ctx.setCookie('lang', 'en', `Path=/; Max-Age=${ONE_YEAR}`);
}

function publisherHome(ctx) {
  publisherCookies(ctx);
  html(ctx, pagePublisher(ctx));
}

/** First-party Set-Cookie of the cookie page: technical, personalization and unknown purposes. */
function publisherCookiePage(ctx) {
  publisherCookies(ctx);
  ctx.setCookie('csrftoken', ctx.cookies.csrftoken || rand(), `Path=/; Max-Age=${ONE_YEAR}`);
  ctx.setCookie('theme', 'dark', `Path=/; Max-Age=${ONE_YEAR}`);
  ctx.setCookie('zq_flag', '1', `Path=/; Max-Age=${ONE_YEAR}`);
  html(ctx, pageCookies(ctx));
}

function publisherDemo(ctx) {
  if (!ctx.host.endsWith('site.test')) return ctx.notFound();
  publisherCookies(ctx);
  html(ctx, pageDemo(ctx));
}

function setGa(ctx) {
  const v = trackerId(ctx, '_ga', () => `GA1.1.${crypto.randomInt(1e9)}.${Math.floor(Date.now() / 1000)}`);
  ctx.setCookie('_ga', v, trackerAttrs(ctx, 2 * ONE_YEAR));
}

function setSocial(ctx) {
  ctx.setCookie('social_uid', trackerId(ctx, 'social_uid'), trackerAttrs(ctx));
}

// ---------------------------------------------------------------------------------------------
// Request parsing and logging

/**
 * Best-guess resource kind for a path that has no explicit route.
 * @param {string} path
 * @returns {'image'|'script'|'style'|'other'}
 */
export function guessKind(path) {
  if (/\.(png|gif|jpe?g|webp|svg|ico)$/i.test(path)) return 'image';
  if (/\.m?js$/i.test(path)) return 'script';
  if (/\.css$/i.test(path)) return 'style';
  return 'other';
}

function parseCookies(header) {
  const out = {};
  for (const part of String(header || '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (k && !(k in out)) out[k] = part.slice(i + 1).trim();
  }
  return out;
}

function parseAttrs(attrString) {
  const attrs = {};
  for (const part of attrString.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const i = p.indexOf('=');
    if (i < 0) attrs[p.toLowerCase()] = true;
    else attrs[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
  }
  return attrs;
}

function hostOf(hostHeader) {
  const h = String(hostHeader || '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * Starts the test web.
 * @param {object} [opts]
 * @param {number} [opts.port=0] TCP port on 127.0.0.1 (0 = a free one).
 * @param {Record<string, Record<string, {kind: string, handler: (ctx: object) => void}>>} [opts.extraRoutes]
 *   extra routes per role (publisher, ads, analytics, social, pixel), merged over ROUTES.
 * @param {Record<string, string>} [opts.extraHosts] extra host name -> role (a role of
 *   `extraRoutes`), for hosts a suite maps to the test web itself (see `launch({hosts})`).
 * @param {boolean} [opts.quiet=true] do not print handler errors.
 * @param {boolean} [opts.https=false] also serve the same web over https on a second port
 *   (`httpsPort`, `secureOrigin(host)`), with a self-signed certificate made at start with the
 *   `openssl` CLI (browsers must ignore certificate errors, see `launch({secure})`).
 * @returns {Promise<{port: number, origin: (host: string) => string, httpsPort?: number,
 *   secureOrigin: (host: string) => string, log: object[], cookiesSet: object[],
 *   clear: () => void, close: () => Promise<void>, find: (pred: (e: object) => boolean) => object[],
 *   probes: () => object[], waitFor: (pred: (e: object) => boolean, opts?: {timeout?: number}) => Promise<object>}>}
 *   `log` entries: `{t, method, scheme, host, path, query, url, headers: {dnt, secGpc, cookie,
 *   referer, secFetchDest, accept, userAgent}, rawHeaders, kind}`; `cookiesSet` entries:
 *   `{t, scheme, host, path, name, value, attrs, raw}` (attrs: lower-cased attribute -> value or true).
 */
export async function startTestWeb({ port = 0, extraRoutes = {}, extraHosts = {}, quiet = true, https: withHttps = false } = {}) {
  const roles = { ...HOST_ROLES, ...extraHosts };
  const log = [];
  const cookiesSet = [];
  const waiters = new Set();
  const routes = {};
  for (const role of new Set([...Object.keys(ROUTES), ...Object.keys(extraRoutes)])) {
    routes[role] = { ...(ROUTES[role] || {}), ...(extraRoutes[role] || {}) };
  }
  let actualPort = port;
  let httpsPort;
  const origin = (host) => `http://${host}:${actualPort}`;
  const secureOrigin = (host) => {
    if (!httpsPort) throw new Error('test web: started without https (startTestWeb({https: true}))');
    return `https://${host}:${httpsPort}`;
  };

  const onRequest = (scheme) => (req, res) => {
    let url;
    try {
      url = new URL(req.url, 'http://placeholder.invalid');
      if (!req.url.startsWith('/') && !/^https?:\/\//i.test(req.url)) throw new Error('bad target');
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end('bad request');
      return;
    }
    const host = hostOf(req.headers.host);
    const path = url.pathname;
    const query = url.search.replace(/^\?/, '');
    const role = roles[host];
    const route = role && routes[role] && Object.prototype.hasOwnProperty.call(routes[role], path) ? routes[role][path] : null;
    const h = req.headers;
    const entry = {
      t: Date.now(),
      method: req.method,
      scheme,
      host,
      path,
      query,
      url: path + url.search,
      headers: {
        dnt: h['dnt'],
        secGpc: h['sec-gpc'],
        cookie: h['cookie'],
        referer: h['referer'],
        secFetchDest: h['sec-fetch-dest'],
        accept: h['accept'],
        userAgent: h['user-agent'],
      },
      rawHeaders: { ...h },
      kind: route ? route.kind : guessKind(path),
    };
    log.push(entry);
    for (const w of waiters) w(entry);

    const setCookies = [];
    const secure = scheme === 'https';
    const ctx = {
      req,
      res,
      /** 'http' or 'https': the listener this request came in on. */
      scheme,
      secure,
      host,
      path,
      query,
      params: url.searchParams,
      port: secure ? httpsPort : actualPort,
      /** Origin of a test-web host with this request's scheme and port (pages link alike). */
      origin: secure ? secureOrigin : origin,
      cookies: parseCookies(h.cookie),
      entry,
      /** Queue a Set-Cookie (sent with ctx.send). */
      setCookie(name, value, attrs = 'Path=/') {
        setCookies.push(`${name}=${value}${attrs ? '; ' + attrs : ''}`);
        cookiesSet.push({ t: Date.now(), scheme, host, path, name, value: String(value), attrs: parseAttrs(attrs || ''), raw: `${name}=${value}${attrs ? '; ' + attrs : ''}` });
      },
      send(status, type, body, extraHeaders = {}) {
        const headers = { 'Content-Type': type, 'Cache-Control': 'no-store', ...extraHeaders };
        // A length, as real servers send for static responses (Firefox's pixel detection reads it).
        if (body !== undefined && body !== null) headers['Content-Length'] = Buffer.byteLength(body);
        if (setCookies.length) headers['Set-Cookie'] = setCookies;
        res.writeHead(status, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      notFound() { ctx.send(404, 'text/plain; charset=utf-8', 'not found'); },
    };
    // Drain any request body (collect/beacon POSTs) but cap it.
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size > 1 << 20) req.destroy(); });
    req.on('error', () => {});
    try {
      if (!route) ctx.notFound();
      else route.handler(ctx);
    } catch (e) {
      if (!quiet) console.error('test web handler error', e);
      if (!res.headersSent) { res.writeHead(500, { 'Content-Type': 'text/plain' }); res.end('error'); }
    }
  };
  const clientError = (err, socket) => {
    if (socket.writable && !socket.destroyed) {
      const code = err && err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${code}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  };
  const sockets = new Set();
  const listen = async (server, p) => {
    server.on('clientError', clientError);
    server.keepAliveTimeout = 2000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    return server.address().port;
  };
  const servers = [http.createServer({ maxHeaderSize: 64 * 1024 }, onRequest('http'))];
  actualPort = await listen(servers[0], port);
  if (withHttps) {
    const { key, cert } = selfSignedCertificate([...new Set(['*.test', ...Object.keys(roles)])]);
    servers.push(https.createServer({ key, cert, maxHeaderSize: 64 * 1024 }, onRequest('https')));
    // TLS handshakes that fail (a client refusing the certificate) are not requests: ignore.
    servers[1].on('tlsClientError', (err, socket) => socket.destroy());
    httpsPort = await listen(servers[1], 0);
  }

  return {
    port: actualPort,
    origin,
    /** The https port (only with `https: true`). */
    httpsPort,
    /** `https://HOST:httpsPort` (throws without `https: true`). */
    secureOrigin,
    log,
    cookiesSet,
    /** Empties log and cookiesSet (in place, so references stay valid). */
    clear() { log.length = 0; cookiesSet.length = 0; },
    /** Log entries matching a predicate. */
    find(pred) { return log.filter(pred); },
    /** Probe reports as `{host, frame, dnt, gpc, secGpc, dntHeader}` (values as strings). */
    probes() {
      return log.filter((e) => e.path === '/__probe').map((e) => {
        const q = new URLSearchParams(e.query);
        return { host: e.host, frame: q.get('frame'), dnt: q.get('dnt'), gpc: q.get('gpc'), secGpc: e.headers.secGpc, dntHeader: e.headers.dnt, t: e.t };
      });
    },
    /** Resolves with the first (existing or future) log entry matching pred; rejects on timeout. */
    waitFor(pred, { timeout = 5000 } = {}) {
      const hit = log.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = (e) => { if (pred(e)) { clearTimeout(timer); waiters.delete(w); resolve(e); } };
        const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`test web: no matching request within ${timeout} ms`)); }, timeout);
        waiters.add(w);
      });
    },
    close() {
      const closed = servers.map((server) => new Promise((resolve) => server.close(() => resolve())));
      for (const s of sockets) s.destroy();
      return Promise.all(closed).then(() => {});
    },
  };
}

/**
 * A throw-away self-signed certificate for the given DNS names (made with the `openssl` CLI in
 * a temporary directory, removed again). EC P-256, valid 7 days.
 * @param {string[]} names subjectAltName DNS entries
 * @returns {{key: string, cert: string}} PEM
 */
export function selfSignedCertificate(names) {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'crumbwall-test-web-tls-'));
  try {
    const key = nodePath.join(dir, 'key.pem');
    const cert = nodePath.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '7', '-subj', '/CN=crumbwall test web',
      '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `node tests/web/server.mjs [port]` serves the test web for manual browsing.
if (import.meta.url === `file://${process.argv[1]}`) {
  const web = await startTestWeb({ port: Number(process.argv[2] || 8080), quiet: false });
  console.log(`test web on 127.0.0.1:${web.port}; try ${web.origin('site.test')}/demo (map *.test to 127.0.0.1)`);
}
