// Cookies: every cookie change is judged by the core (purpose, first- or third-party, what the
// user's policy does with it) and acted on; refused tracker cookies have their headers stripped
// (platform.js: Chromium rules, Firefox listeners); cookies kept "until the session ends" are
// removed once no open tab shows their site, and at browser start; "Forget this site" clears a
// site's cookies and storage. What happened is kept per site for the popup's Cookies panel.

import { engine, ready } from './engine.js';
import { api, cookies, sessionStorage } from './platform.js';
import { handle } from './messages.js';
import { pageContexts } from './blocking.js';
import { siteOfUrl, parseSite } from '../pkg/crumbwall_wasm.js';

/** Cookie names from the Open Cookie Database, loaded into the core once (built by `crumbwall compile`). */
const knowledge = ready.then(async (c) => {
  try {
    const response = await fetch(api.runtime.getURL('extension/cookies/known.tsv'));
    if (response.ok) c.loadCookieKnowledge(await response.text());
  } catch (e) {
    console.warn('crumbwall: no cookie knowledge beyond the curated names', e);
  }
  return c;
});

/** storage.local key: sites holding cookies to remove when their session ends. */
const SESSION_SITES = 'cookieSessionSites';

/** What the policy did, per page site: site -> key -> entry (kept in session storage). */
const log = new Map();
const MAX_LOG = 300;
let saveTimer = null;

function siteOf(url) {
  try {
    return siteOfUrl(url) ?? null;
  } catch {
    return null;
  }
}

function siteOfHost(host) {
  try {
    return parseSite(host);
  } catch {
    return null;
  }
}

const keyOf = (c) => `${c.name}\u0000${c.domain.replace(/^\./, '')}\u0000${c.path}`;

function remember(site, cookie, verdict, action) {
  if (!site) return;
  const entries = log.get(site) ?? (log.set(site, new Map()), log.get(site));
  if (entries.size >= MAX_LOG && !entries.has(keyOf(cookie))) return;
  entries.set(keyOf(cookie), {
    name: cookie.name,
    domain: cookie.domain.replace(/^\./, ''),
    path: cookie.path ?? '/',
    purpose: verdict.purpose,
    confidence: verdict.confidence,
    reason: verdict.reason,
    why: verdict.why,
    thirdParty: verdict.thirdParty,
    action,
    at: Date.now(),
  });
  if (!saveTimer) {
    saveTimer = setTimeout(() => {
      saveTimer = null;
      sessionStorage.set({ cookieLog: Object.fromEntries([...log].map(([s, m]) => [s, Object.fromEntries(m)])) }).catch(() => {});
    }, 300);
  }
}

/** Brings back the log after a background restart. */
async function restoreLog() {
  const { cookieLog } = await sessionStorage.get('cookieLog');
  if (!cookieLog || typeof cookieLog !== 'object') return;
  for (const [site, entries] of Object.entries(cookieLog)) {
    if (!log.has(site) && entries && typeof entries === 'object') log.set(site, new Map(Object.entries(entries)));
  }
}

/**
 * Where the user is: the sites of the open top-level pages (tabs, and navigations under way) and,
 * per site, the pages that loaded from it.
 */
async function where() {
  const open = new Set();
  const embedders = new Map();
  const live = new Set();
  for (const tab of await api.tabs.query({})) {
    live.add(tab.id);
    for (const u of [tab.url, tab.pendingUrl]) {
      const s = u ? siteOf(u) : null;
      if (s) open.add(s);
    }
  }
  for (const page of pageContexts()) {
    // Tab reports restored after a background restart may include tabs closed meanwhile.
    if (!page.site || !live.has(page.tabId)) continue;
    open.add(page.site);
    for (const host of page.hosts) {
      const s = siteOfHost(host);
      if (!s) continue;
      if (!embedders.has(s)) embedders.set(s, new Set());
      embedders.get(s).add(page.site);
    }
  }
  return { open: [...open], embedded: [...embedders.keys()], embeddersOf: (site) => [...(embedders.get(site) ?? [])] };
}

function judge(c, cookie, ctx) {
  const site = siteOfHost(cookie.domain.replace(/^\./, ''));
  return c.judgeCookie(cookie, ctx.open, site ? ctx.embeddersOf(site) : [], Date.now() / 1000);
}

/** Applies one verdict: removes the cookie now, or marks its site for session-end removal. */
async function act(cookie, verdict) {
  const pageSite = verdict.context ?? verdict.site;
  if (verdict.action === 'remove') {
    await cookies.remove(cookies.removal(cookie));
    remember(pageSite, cookie, verdict, 'deleted');
  } else if (verdict.action === 'remove-at-session-end') {
    await markSessionSite(verdict.site);
    remember(pageSite, cookie, verdict, 'session');
  } else {
    remember(pageSite, cookie, verdict, 'kept');
  }
}

let sessionQueue = Promise.resolve();

/** Adds a site to the persisted list of sites with session-end cookies. */
function markSessionSite(site) {
  if (!site) return Promise.resolve();
  sessionQueue = sessionQueue.then(async () => {
    const { [SESSION_SITES]: sites = [] } = await api.storage.local.get(SESSION_SITES);
    if (!sites.includes(site)) await api.storage.local.set({ [SESSION_SITES]: [...sites, site] });
  });
  return sessionQueue;
}

// Cookie changes arrive in bursts (a page sets many at once): judge them together, shortly after,
// so the tab reports have seen the requests that set them.
let pending = [];
let batchTimer = null;

function onChanged(change) {
  if (change.removed) return;
  pending.push({ cookie: change.cookie, tries: 0 });
  batchTimer ??= setTimeout(runBatch, 100);
}

async function runBatch() {
  batchTimer = null;
  const batch = pending;
  pending = [];
  try {
    const c = await knowledge;
    const ctx = await where();
    for (const item of batch) {
      let verdict;
      try {
        verdict = judge(c, item.cookie, ctx);
      } catch (e) {
        console.error('crumbwall: cookie not judged; kept', item.cookie?.name, e);
        continue;
      }
      // A third-party cookie whose page is not known yet (the request that set it is still
      // being recorded): look again once before deciding, so a site's allow list applies.
      if (verdict.thirdParty && verdict.context === null && verdict.action === 'remove' && item.tries === 0) {
        item.tries = 1;
        setTimeout(() => {
          pending.push(item);
          batchTimer ??= setTimeout(runBatch, 0);
        }, 1000);
        continue;
      }
      await act(item.cookie, verdict);
    }
  } catch (e) {
    console.error('crumbwall: cookie batch failed', e);
  }
}

/**
 * Removes the session-end cookies of the sites no open page shows or loads from (all of them when
 * `browserStarted`: closing the browser ended every session).
 */
async function sweep(browserStarted = false) {
  const c = await knowledge;
  await sessionQueue;
  const { [SESSION_SITES]: sites = [] } = await api.storage.local.get(SESSION_SITES);
  if (sites.length === 0) return;
  const ctx = await where();
  // A site is still in session while a page shows it or loads from it.
  const busy = new Set(browserStarted ? [] : [...ctx.open, ...ctx.embedded]);
  const still = [];
  for (const site of sites) {
    if (busy.has(site)) {
      still.push(site);
      continue;
    }
    for (const cookie of await cookies.getAll(site)) {
      let verdict;
      try {
        // The site's own cookies, judged as such.
        verdict = c.judgeCookie(cookie, [site], [], Date.now() / 1000);
      } catch {
        continue;
      }
      if (verdict.action === 'remove-at-session-end') {
        await cookies.remove(cookies.removal(cookie));
        remember(site, cookie, verdict, 'deleted');
      }
    }
  }
  sessionQueue = sessionQueue.then(async () => {
    const { [SESSION_SITES]: now = [] } = await api.storage.local.get(SESSION_SITES);
    // Sites marked meanwhile stay.
    await api.storage.local.set({ [SESSION_SITES]: now.filter((s) => still.includes(s) || !sites.includes(s)) });
  });
  await sessionQueue;
}

let sweepTimer = null;
function sweepSoon() {
  clearTimeout(sweepTimer);
  sweepTimer = setTimeout(() => sweep().catch((e) => console.error('crumbwall: session sweep failed', e)), 500);
}

/** Firefox: a response's Set-Cookie headers were stripped (a refused tracker). */
function stripped(tabId, url, names, topUrl) {
  const c = engine();
  const site = siteOf(topUrl);
  let host;
  try {
    host = new URL(url).hostname;
  } catch {
    return;
  }
  if (!c || !site) return;
  for (const name of names) {
    const cookie = { name, domain: host, path: '/', value: '' };
    let verdict;
    try {
      verdict = c.judgeCookie(cookie, [site], [site], Date.now() / 1000);
    } catch {
      continue;
    }
    remember(site, cookie, verdict, 'blocked');
  }
}

/** Registers the listeners. Call synchronously at background start. */
export function installCookieListeners() {
  api.cookies.onChanged.addListener(onChanged);
  api.tabs.onRemoved.addListener(sweepSoon);
  api.tabs.onUpdated.addListener((tabId, change) => {
    if (change.url) sweepSoon();
  });
  api.runtime.onStartup.addListener(() => {
    sweep(true).catch((e) => console.error('crumbwall: start-up session sweep failed', e));
  });
  cookies.installListener({
    strips: () => {
      const c = engine();
      return c ? (url, top) => c.stripsCookieHeaders(url, top) : null;
    },
    stripped,
    ready,
  });
  restoreLog().catch(() => {});
}

/**
 * Applies the policy to every cookie in the jar, each judged as its own site's cookie (a
 * partitioned one under its partition's site): after the user changed a rule, what the new rule
 * refuses goes now. (Cookies of sites not open are never treated as third-party here, so a rule
 * for third parties only touches partitioned cookies.)
 */
export async function enforceJar() {
  const c = await knowledge;
  const all = await cookies.getAll(undefined);
  for (const cookie of all) {
    const site = siteOfHost(cookie.domain.replace(/^\./, ''));
    let verdict;
    try {
      verdict = c.judgeCookie(cookie, site ? [site] : [], [], Date.now() / 1000);
    } catch {
      continue;
    }
    if (verdict.action !== 'keep') await act(cookie, verdict);
  }
}

/** Brings the browser's cookie header rules in line with the settings (Chromium). */
export async function applyCookies() {
  const c = await ready;
  await cookies.applyRules(c.cookieRules());
}

/** The tabs showing a site, and the host names of the site seen in them. */
async function tabsOf(site) {
  const ids = [];
  const hosts = new Set([site, `www.${site}`]);
  for (const tab of await api.tabs.query({})) {
    if (!tab.url || siteOf(tab.url) !== site) continue;
    ids.push(tab.id);
    try {
      hosts.add(new URL(tab.url).hostname);
    } catch {}
  }
  return { ids, hosts };
}

/** The Cookies panel for a page: every cookie of the site and of the third parties it loaded. */
async function cookiesFor(url, tabId) {
  const c = await knowledge;
  const site = url ? siteOf(url) : null;
  if (!site) return { site: null, cookies: [], counts: {} };
  const ctx = await where();
  if (!ctx.open.includes(site)) ctx.open.push(site);
  const page = pageContexts().find((p) => p.tabId === tabId);
  const thirdSites = new Set((page?.hosts ?? []).map(siteOfHost).filter((s) => s && s !== site));
  const rows = new Map();
  for (const domain of [site, ...thirdSites]) {
    for (const cookie of await cookies.getAll(domain)) {
      let v;
      try {
        v = c.judgeCookie(cookie, ctx.open, domain === site ? [] : [site], Date.now() / 1000);
      } catch {
        continue;
      }
      // A third party's cookie partitioned under another site is not this page's.
      if (v.thirdParty && v.context && v.context !== site) continue;
      const action = v.action === 'remove-at-session-end' ? 'session' : v.action === 'remove' ? 'deleted' : 'kept';
      rows.set(keyOf(cookie), {
        name: cookie.name,
        domain: cookie.domain.replace(/^\./, ''),
        path: cookie.path,
        purpose: v.purpose,
        confidence: v.confidence,
        reason: v.reason,
        why: v.why,
        thirdParty: v.thirdParty,
        action,
        id: JSON.stringify(cookies.removal(cookie)),
      });
    }
  }
  // What the policy removed or refused here earlier (no longer in the jar).
  for (const [key, e] of log.get(site) ?? []) {
    if (!rows.has(key) && (e.action === 'deleted' || e.action === 'blocked')) rows.set(key, { ...e, id: null });
  }
  const list = [...rows.values()].sort((a, b) => a.purpose.localeCompare(b.purpose) || a.name.localeCompare(b.name));
  const counts = {};
  for (const r of list) counts[r.purpose] = (counts[r.purpose] ?? 0) + 1;
  return { site, cookies: list, counts };
}

/** Registers the popup's and options page's cookie messages. */
export function installCookieHandlers(targetTab) {
  handle('getCookies', { tabId: 'number?', url: 'string?' }, async (m) => {
    const tab = await targetTab(m);
    return cookiesFor(tab.url, tab.id);
  });

  handle('deleteCookie', { id: 'string' }, async (m) => {
    let details;
    try {
      details = JSON.parse(m.id);
    } catch {
      throw new Error('not a cookie id');
    }
    if (!details || typeof details.url !== 'string' || typeof details.name !== 'string') throw new Error('not a cookie id');
    return { removed: await cookies.remove(details) };
  });

  handle('forgetSite', { site: 'string' }, async (m) => {
    const site = parseSite(m.site);
    const { ids, hosts } = await tabsOf(site);
    let removed = 0;
    for (const cookie of await cookies.getAll(site)) {
      hosts.add(cookie.domain.replace(/^\./, ''));
      if (await cookies.remove(cookies.removal(cookie))) removed += 1;
    }
    const storage = await cookies.clearStorage([...hosts], ids);
    log.delete(site);
    return { site, cookies: removed, storage };
  });
}
