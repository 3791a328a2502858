// Background entry point: a service worker in Chromium, an event page in Firefox.
// Listeners are registered synchronously here, before anything is awaited, so the browser finds
// them whenever it wakes the background; each feature module owns its own listeners.

import { api, applyOnce, browserName, hasEveryHost, isFirefox, onHostAccessChanged, sessionStorage } from './platform.js';
import { ready, blockerReady, loadBlockerNow, mutate } from './engine.js';
import { siteOfUrl, version } from '../pkg/crumbwall_wasm.js';
import { installSignalListeners, applySignals, signalStateFor } from './signals.js';
import { installBlockingListeners, applyBlocking, restoreTabs, restorePixelHosts, tabReport, expectCleanedNavigation } from './blocking.js';
import { applyLinks, installLinkHandlers } from './links.js';
import { applyCookies, enforceJar, installCookieHandlers, installCookieListeners } from './cookies.js';
import { handle, installMessageRouter } from './messages.js';
import { gpcStatus } from './gpc.js';
import { installConsent } from './consent.js';

installSignalListeners();
installBlockingListeners();
installMessageRouter();
installLinkHandlers(expectCleanedNavigation);
installCookieListeners();
installConsent();
// A start-up listener makes the browser start the background with the browser (Firefox otherwise
// waits for the first event), so the page script and rules are in place before browsing begins.
api.runtime.onStartup.addListener(() => {});
// First install: the onboarding page explains the cookie purposes and the defaults.
api.runtime.onInstalled.addListener(({ reason }) => {
  if (reason === 'install') api.tabs.create({ url: api.runtime.getURL('extension/onboarding/onboarding.html') }).catch(() => {});
});

async function targetTab(m) {
  if (typeof m.url === 'string') return { url: m.url, id: -1 };
  if (typeof m.tabId === 'number') {
    try {
      const tab = await api.tabs.get(m.tabId);
      return { url: tab.url ?? '', id: tab.id };
    } catch {
      return { url: '', id: -1 };
    }
  }
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return { url: tab?.url ?? '', id: tab?.id ?? -1 };
}

/**
 * Brings every feature's browser rules (dynamic rules, enabled rulesets, page scripts) in line
 * with the settings. All of them follow from the settings, the core's version and whether the
 * extension has host access everywhere (the blocked-frame rulesets), so this runs once per such
 * state in a browser session (`applyOnce`): a background the browser restarted (an idle worker is
 * stopped after 30 s) finds its rules already in force and skips the work. A failed apply is not
 * recorded, so the next start tries again.
 */
async function applyAll() {
  const [c, everyHost] = await Promise.all([ready, hasEveryHost()]);
  await applyOnce('settings', `${version()}\n${api.runtime.getURL('')}\n${everyHost}\n${c.settingsJson()}`, () =>
    Promise.all([applySignals(), applyBlocking(), applyLinks(), applyCookies()]),
  );
}

// Host access granted or withheld: the blocked-frame rulesets follow (a background woken by this
// event has not applied anything yet, so the whole state is checked, not just the rulesets).
onHostAccessChanged(() => applyAll().catch((e) => console.error('crumbwall: rules not updated after a host-access change', e)));

installCookieHandlers(targetTab);

handle('getState', { tabId: 'number?', url: 'string?' }, async (m) => {
  const c = await ready;
  const tab = await targetTab(m);
  const url = tab.url;
  const site = url ? siteOfUrl(url) ?? null : null;
  const { settingsProblems = null, startupError = null } = await api.storage.local.get(['settingsProblems', 'startupError']);
  const settings = c.settings();
  return {
    url,
    site,
    browser: browserName,
    version: version(),
    signals: signalStateFor(c, settings, url, site),
    protection: { on: site ? !settings.allowlist.includes(site) : true, categories: settings.blocking },
    tab: tabReport(tab.id),
    settingsProblems,
    startupError,
  };
});

handle('setProtection', { site: 'string', on: 'boolean' }, (m) =>
  mutate((c) => (m.on ? c.protectSite(m.site) : c.allowSite(m.site)), applyAll),
);

handle('setCategory', { category: 'string', on: 'boolean' }, (m) =>
  mutate((c) => c.setCategory(m.category, m.on), applyAll),
);

handle('importAllowlist', { text: 'string' }, (m) => mutate((c) => c.importAllowlist(m.text), applyAll));

handle('getSettings', {}, async () => (await ready).settings());

handle('setSignalsEnabled', { on: 'boolean' }, (m) =>
  mutate((c) => c.setSignalsEnabled(m.on), applyAll),
);

handle('setSignalException', { site: 'string', excepted: 'boolean' }, (m) =>
  mutate((c) => (m.excepted ? c.addSignalException(m.site) : c.removeSignalException(m.site)), applyAll),
);

handle('setSwitch', { name: 'string', on: 'boolean' }, (m) =>
  mutate((c) => c.setSwitch(m.name, m.on), applyAll),
);

handle('setCookieRule', { purpose: 'string', rule: 'string' }, async (m) => {
  await mutate((c) => c.setCookieRule(m.purpose, m.rule), applyAll);
  await enforceJar();
});

handle('getCustomFilters', {}, async () => (await ready).customFilters());

// The rules are applied in the same step; if the browser refuses them the previous rules stay in
// force and the error is returned (the text is kept, so the user can fix it).
handle('setCustomFilters', { text: 'string' }, (m) => mutate((c) => c.setCustomFilters(m.text), applyAll));

handle('dismissProblems', {}, async () => {
  await api.storage.local.remove('settingsProblems');
});

// The whole settings document, as the file the options page exports.
handle('exportSettings', {}, async () => (await ready).settingsJson());

// Replaces every setting with an exported file's: validated by the core, all or nothing (a bad
// file throws with its problems and changes nothing).
handle('importSettings', { text: 'string' }, async (m) => {
  await mutate((c) => c.importSettings(m.text), applyAll);
  await enforceJar();
  return (await ready).settings();
});

// Whether the tab's site declares that it honours GPC (/.well-known/gpc.json, cached a day).
handle('getGpcStatus', { tabId: 'number?', url: 'string?' }, async (m) => {
  const tab = await targetTab(m);
  const site = tab.url ? siteOfUrl(tab.url) ?? null : null;
  if (!site) return null;
  return gpcStatus(site, tab.url);
});

// Start: load settings, bring rules and page scripts in line (once per browser session unless the
// settings changed), then tell tests and pages we are up.
if (isFirefox) loadBlockerNow();
// The tab reports and learned pixel hosts come back from session storage meanwhile.
const restored = Promise.all([restoreTabs(), restorePixelHosts()]);
ready
  .then(() => Promise.all([applyAll(), restored]))
  // Firefox decides each request with the engine: ready means the engine is loaded. Chromium's
  // static rules block by themselves; its engine (for naming categories) loads in the background.
  .then(() => (isFirefox ? blockerReady : null))
  // startupMs: from the background's start (its time origin) to ready-to-decide.
  .then(() => sessionStorage.set({ ready: Date.now(), startupMs: Math.round(performance.now() * 10) / 10 }))
  .catch((e) => {
    console.error('crumbwall: start-up failed', e);
    // Kept for the popup and for diagnosis; the static protections stay in force regardless.
    api.storage.local.set({ startupError: { at: Date.now(), message: String(e?.message ?? e) } });
  })
  .finally(loadBlockerNow);
