// Background entry point: a service worker in Chromium, an event page in Firefox.
// Listeners are registered synchronously here, before anything is awaited, so the browser finds
// them whenever it wakes the background; each feature module owns its own listeners.

import { api, browserName, sessionStorage } from './platform.js';
import { ready, mutate } from './engine.js';
import { siteOfUrl, version } from '../pkg/crumbwall_wasm.js';
import { installSignalListeners, applySignals, signalStateFor } from './signals.js';
import { handle, installMessageRouter } from './messages.js';

installSignalListeners();
installMessageRouter();
// A start-up listener makes the browser start the background with the browser (Firefox otherwise
// waits for the first event), so the page script and rules are re-applied before browsing begins.
api.runtime.onStartup.addListener(() => {});

async function tabUrl(m) {
  if (typeof m.url === 'string') return m.url;
  if (typeof m.tabId === 'number') {
    try {
      return (await api.tabs.get(m.tabId)).url ?? '';
    } catch {
      return '';
    }
  }
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab?.url ?? '';
}

handle('getState', { tabId: 'number?', url: 'string?' }, async (m) => {
  const c = await ready;
  const url = await tabUrl(m);
  const site = url ? siteOfUrl(url) ?? null : null;
  const { settingsProblems = null } = await api.storage.local.get('settingsProblems');
  return { url, site, browser: browserName, version: version(), signals: signalStateFor(c, url), settingsProblems };
});

handle('getSettings', {}, async () => (await ready).settings());

handle('setSignalsEnabled', { on: 'boolean' }, (m) =>
  mutate((c) => c.setSignalsEnabled(m.on), applySignals),
);

handle('setSignalException', { site: 'string', excepted: 'boolean' }, (m) =>
  mutate((c) => (m.excepted ? c.addSignalException(m.site) : c.removeSignalException(m.site)), applySignals),
);

handle('dismissProblems', {}, async () => {
  await api.storage.local.remove('settingsProblems');
});

// Start: load settings, bring rules and page scripts in line, then tell tests and pages we are up.
ready
  .then(applySignals)
  // startupMs: from the background's start (its time origin) to ready-to-decide.
  .then(() => sessionStorage.set({ ready: Date.now(), startupMs: Math.round(performance.now() * 10) / 10 }))
  .catch((e) => {
    console.error('crumbwall: start-up failed', e);
    // Kept for the popup and for diagnosis; the static protections stay in force regardless.
    api.storage.local.set({ startupError: { at: Date.now(), message: String(e?.message ?? e) } });
  });
