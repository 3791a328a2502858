// Tracker blocking: category switches, the per-site allow list ("Protection on this site"), and
// what happened on each tab (counts per category, third-party hosts seen, the badge).
// The core decides; platform.js enforces (Chromium: static rulesets + dynamic allow rules;
// Firefox: a blocking listener asking the WASM engine).

import { engine, decider, ready, blockerReady } from './engine.js';
import { api, blocking, setBadge, sessionStorage } from './platform.js';
import { siteOfUrl, categoryName, pixelPurposeName } from '../pkg/crumbwall_wasm.js';

/**
 * Whether an outcome code cancels the request (crates/core/src/blocking.rs `Outcome::code`:
 * 16..31 blocked by a category's filters, 48..55 a blocked pixel, 64 blocked by the user's own
 * filters).
 */
export function cancels(code) {
  return (code >= 16 && code < 32) || (code >= 48 && code < 56) || code === CUSTOM_BLOCKED;
}

/** The user's custom filters (crates/wasm `decideCustom`): blocked, excepted. */
const CUSTOM_BLOCKED = 64;
const CUSTOM_EXCEPTED = 65;

/** Outcome codes from the core (crates/core/src/blocking.rs `Outcome::code`). */
function outcomeOf(code) {
  if (code === CUSTOM_BLOCKED) return { action: 'blocked', category: 'custom' };
  if (code === CUSTOM_EXCEPTED) return { action: 'allowed-by-list-exception', category: 'custom' };
  if (code >= 56) return { action: 'allowed-by-site', category: pixelPurposeName(code - 56), pixel: true };
  if (code >= 48) return { action: 'blocked', category: pixelPurposeName(code - 48), pixel: true };
  if (code >= 32) return { action: 'allowed-by-site', category: categoryName(code - 32) };
  if (code >= 16) return { action: 'blocked', category: categoryName(code - 16) };
  if (code >= 2) return { action: 'allowed-by-list-exception', category: categoryName(code - 2) };
  return { action: 'allowed', category: null };
}

/** @type {Map<number, {url: string, site: string|null, counts: Record<string, number>, blocked: number, hosts: Record<string, {category: string|null, action: string, count: number}>}>} */
const tabs = new Map();
let saveTimer = null;

function freshTab(url) {
  return { url, site: url ? siteOfUrlSafe(url) : null, counts: {}, blocked: 0, hosts: {}, blockedUrls: {} };
}

function siteOfUrlSafe(url) {
  try {
    return siteOfUrl(url) ?? null;
  } catch {
    return null;
  }
}

function persistSoon() {
  if (saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = null;
    sessionStorage.set({ tabs: Object.fromEntries(tabs) }).catch(() => {});
  }, 300);
}

/**
 * Links cleaned by a top-level redirect, waiting for the navigation they lead to (which starts a
 * fresh tab report): tabId -> {to, links}.
 */
const pendingLinks = new Map();

function navigated(tabId, url) {
  if (tabId < 0) return;
  const tab = freshTab(url);
  const pending = pendingLinks.get(tabId);
  if (pending) {
    pendingLinks.delete(tabId);
    if (pending.to === url) tab.counts.links = pending.links;
  }
  tabs.set(tabId, tab);
  setBadge(tabId, 0);
  persistSoon();
}

function hostOf(url) {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/**
 * Chromium only sees that a request ended (`code` null: completed, -1: the rules blocked it); the
 * engine is asked here only to name the category.
 */
function observedOutcome(code, url, host, type, initiator, topUrl) {
  const c = engine();
  const computed = outcomeOf(c?.hasBlocker() ? c.decide(url, initiator, type, topUrl) : 0);
  if (code === -1) {
    if (computed.action === 'blocked') return computed;
    return { action: 'blocked', category: c?.categoryOfHost(host) ?? null };
  }
  // It completed, so the browser let it through whatever the engine says.
  return computed.action === 'blocked' ? { action: 'allowed', category: computed.category } : computed;
}

/** The strongest action seen for a host wins: blocked > allowed-by-site > exception > allowed. */
const RANK = { blocked: 3, 'allowed-by-site': 2, 'allowed-by-list-exception': 1, allowed: 0 };

/**
 * Records one request's outcome for its tab: blocked requests (each URL once per page: Firefox's
 * preload scanner and then the parser may both try it) and every third-party host. `code` is the
 * core's outcome code (Firefox), or null / -1 from Chromium's observers.
 */
function record(tabId, url, type, code, initiator) {
  if (tabId < 0 || type === 'main_frame') return;
  const tab = tabs.get(tabId) ?? (tabs.set(tabId, freshTab('')), tabs.get(tabId));
  const site = siteOfUrlSafe(url);
  const thirdParty = Boolean(site && tab.site && site !== tab.site);
  // A first-party request that went through is nothing to report: no engine work on that path.
  if (code === null && !thirdParty) return;
  const host = hostOf(url);
  const outcome = code === null || code === -1 ? observedOutcome(code, url, host, type, initiator, tab.url) : outcomeOf(code);
  const blocked = outcome.action === 'blocked';
  if (blocked) {
    if (tab.blockedUrls[url]) return;
    if (tab.blocked < 5000) tab.blockedUrls[url] = 1;
    tab.blocked += 1;
    const key = outcome.pixel ? 'pixels' : outcome.category ?? 'other';
    tab.counts[key] = (tab.counts[key] ?? 0) + 1;
    setBadge(tabId, tab.blocked);
  } else if (!thirdParty) {
    return;
  }
  const entry = tab.hosts[host] ?? { category: outcome.category, action: outcome.action, count: 0 };
  entry.count += 1;
  if (outcome.pixel) entry.pixel = true;
  if (RANK[outcome.action] > RANK[entry.action]) entry.action = outcome.action;
  entry.category ??= outcome.category;
  tab.hosts[host] = entry;
  persistSoon();
}

/**
 * Counts a cleaned link for the tab. A top-level one counts on the page it leads to (`to`); a
 * frame's on the current page.
 */
function linkCleaned(tabId, type, from, to) {
  if (tabId < 0) return;
  const tab = tabs.get(tabId) ?? (tabs.set(tabId, freshTab('')), tabs.get(tabId));
  if (type === 'main_frame') {
    const before = tab.url === from ? tab.counts.links ?? 0 : 0;
    pendingLinks.set(tabId, { to, links: before + 1 });
    return;
  }
  tab.counts.links = (tab.counts.links ?? 0) + 1;
  persistSoon();
}

/** The skip page (Chromium) is about to go to `to`, a redirector's destination: one link cleaned. */
export function expectCleanedNavigation(tabId, to) {
  pendingLinks.set(tabId, { to, links: 1 });
}

/**
 * A navigation was redirected. Firefox's listener says when it was ours; Chromium's link rules
 * redirect silently, so the core is asked whether it would have made the same redirect.
 */
function redirected(tabId, type, from, to, ours) {
  if (tabId < 0) return;
  if (!ours) {
    const c = engine();
    if (!c) return;
    const top = type === 'main_frame' ? from : tabs.get(tabId)?.url ?? '';
    let expected;
    try {
      expected = c.rewriteNavigation(from, type, top);
    } catch {
      return;
    }
    if (expected !== to) return;
  }
  linkCleaned(tabId, type, from, to);
}

/**
 * Firefox: a third-party image response of at most 100 bytes (a tracking pixel's size) marks its
 * host as pixel-serving for the session; the core then treats that host's requests as pixels.
 */
function tinyImage(url, documentUrl) {
  const c = engine();
  const site = siteOfUrlSafe(url);
  if (!c || !site || site === siteOfUrlSafe(documentUrl)) return;
  if (c.markPixelHost(hostOf(url))) sessionStorage.set({ pixelHosts: c.pixelHosts() }).catch(() => {});
}

/** Brings back the pixel hosts of this session after a background restart. */
export async function restorePixelHosts() {
  const [c, { pixelHosts }] = await Promise.all([ready, sessionStorage.get('pixelHosts')]);
  if (Array.isArray(pixelHosts)) for (const h of pixelHosts) c.markPixelHost(h);
}

/** Registers the request listeners. Call synchronously at background start. */
export function installBlockingListeners() {
  api.tabs.onRemoved.addListener((tabId) => {
    if (tabs.delete(tabId)) persistSoon();
  });
  blocking.installListeners({
    decide: () => {
      const c = engine();
      const decide = decider();
      // The user's custom filters first (64/65 when theirs decide), then the lists.
      return c?.hasBlocker() && decide ? (u, s, t, top, method) => c.decideCustom(u, s, t, top) || decide(u, s, t, top, method) : null;
    },
    cancels,
    tinyImage,
    rewrite: () => {
      const c = engine();
      return c ? (u, t, top) => c.rewriteNavigation(u, t, top) : null;
    },
    redirected,
    ready: blockerReady,
    record,
    navigated,
  });
}

/** Restores per-tab state kept in session storage (survives a background restart). */
export async function restoreTabs() {
  const [{ tabs: saved }, open] = await Promise.all([sessionStorage.get('tabs'), api.tabs.query({})]);
  const live = new Set(open.map((t) => t.id));
  if (saved && typeof saved === 'object') {
    // Only the tabs still open: some may have closed while the background was stopped.
    for (const [id, t] of Object.entries(saved)) if (!tabs.has(Number(id)) && live.has(Number(id))) tabs.set(Number(id), t);
  }
}

/** Each open tab's page: its site and the third-party hosts it loaded from (for the cookies). */
export function pageContexts() {
  return [...tabs].map(([tabId, t]) => ({ tabId, site: t.site, hosts: Object.keys(t.hosts) }));
}

/** What happened on a tab, for the popup. */
export function tabReport(tabId) {
  const t = tabs.get(tabId);
  if (!t) return { blocked: 0, counts: {}, hosts: [] };
  const hosts = Object.entries(t.hosts)
    .map(([host, h]) => ({ host, ...h }))
    .sort((a, b) => (b.action === 'blocked') - (a.action === 'blocked') || a.host.localeCompare(b.host));
  return { blocked: t.blocked, counts: t.counts, hosts };
}

/** Brings the browser's blocking rules in line with the settings. */
export async function applyBlocking() {
  const c = await ready;
  // Side by side: the dynamic-rule blocks go to the browser in one update (platform.js).
  await Promise.all([
    blocking.setCategories(c.enabledCategories()),
    blocking.applyAllowlistRules(c.allowlistRules()),
    blocking.applyPixelRules(c.pixelRules()),
    blocking.applyCustomRules(c.customRules()),
  ]);
}
