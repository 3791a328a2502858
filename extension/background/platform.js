// Every difference between Chrome (Chromium) and Firefox lives in this module. Feature modules
// call these functions and never test for the browser themselves.

/** The WebExtension API object (`browser` in Firefox, `chrome` in Chromium; both promise-based). */
export const api = globalThis.browser ?? globalThis.chrome;

/** True in Firefox (moz-extension:// pages and event page), false in Chromium. */
export const isFirefox = api.runtime.getURL('').startsWith('moz-extension:');

/** Name shown in diagnostics. */
export const browserName = isFirefox ? 'firefox' : 'chromium';

/** Dynamic DNR rule ids owned by the signals feature (see crates/core/src/dnr.rs `ids`). */
const SIGNAL_RULE_IDS = { first: 1000, count: 100 };

/** Firefox: the top-level page URL of each tab, from its main_frame requests. */
const tabTop = new Map();

/**
 * The top-level page URL of a Firefox webRequest `details` object, synchronously when known
 * (top-frame requests, frame loads with `frameAncestors`, tabs seen navigating), else a promise
 * (a tab that navigated before the event page woke up is looked up with tabs.get).
 * @param {object} details
 * @returns {string | Promise<string>}
 */
function topUrlOf(details) {
  if (details.type === 'main_frame') {
    if (details.tabId >= 0) tabTop.set(details.tabId, details.url);
    return details.url;
  }
  if (details.frameId === 0) return details.documentUrl ?? details.originUrl ?? '';
  const ancestors = details.frameAncestors;
  if (Array.isArray(ancestors) && ancestors.length > 0) return ancestors[ancestors.length - 1].url ?? '';
  if (details.tabId < 0) return details.documentUrl ?? details.originUrl ?? '';
  const known = tabTop.get(details.tabId);
  if (known !== undefined) return known;
  return api.tabs.get(details.tabId).then(
    (tab) => tab.url ?? '',
    () => '',
  );
}

if (isFirefox) {
  api.tabs.onRemoved.addListener((tabId) => tabTop.delete(tabId));
}

/**
 * Privacy-signal headers. Chromium: dynamic declarativeNetRequest rules compiled by the core.
 * Firefox: a blocking webRequest listener that asks the core per request (registered
 * synchronously at load so it is in place whenever the event page wakes).
 */
export const signalHeaders = {
  /**
   * @param {() => (null | {apply(topUrl: string): boolean, headers: string[][]})} decider
   *   returns null until the engine is ready.
   * @param {Promise<unknown>} ready resolves once the decider returns non-null.
   */
  installListener(decider, ready) {
    if (!isFirefox) return;
    const decide = (details, topUrl) => {
      const d = decider();
      let send;
      try {
        send = d.apply(topUrl);
      } catch (e) {
        console.error('crumbwall: signals decision failed, sending signals', e);
        send = true;
      }
      if (!send) return {};
      const names = new Set(d.headers.map(([n]) => n.toLowerCase()));
      const headers = (details.requestHeaders ?? []).filter((h) => !names.has(h.name.toLowerCase()));
      for (const [name, value] of d.headers) headers.push({ name, value });
      return { requestHeaders: headers };
    };
    api.webRequest.onBeforeSendHeaders.addListener(
      (details) => {
        const top = topUrlOf(details);
        // Synchronous whenever the engine is loaded and the top page is known (the usual case).
        if (decider() && typeof top === 'string') return decide(details, top);
        return Promise.all([ready, top]).then(([, t]) => decide(details, t), () => ({}));
      },
      { urls: ['<all_urls>'] },
      ['blocking', 'requestHeaders'],
    );
  },

  /** Replaces the signal rules (Chromium); a no-op in Firefox, whose listener reads the engine. */
  async applyRules(rules) {
    if (isFirefox) return;
    const existing = await api.declarativeNetRequest.getDynamicRules();
    const removeRuleIds = existing
      .map((r) => r.id)
      .filter((id) => id >= SIGNAL_RULE_IDS.first && id < SIGNAL_RULE_IDS.first + SIGNAL_RULE_IDS.count);
    await api.declarativeNetRequest.updateDynamicRules({ removeRuleIds, addRules: rules });
  },
};

/**
 * Registers (or updates) a content script at runtime. Registrations persist across browser
 * restarts; the background also re-applies them at every start.
 * @param {{id: string, js: string[], world?: 'MAIN'|'ISOLATED', excludeMatches?: string[]}} script
 */
export async function registerContentScript(script) {
  const entry = {
    id: script.id,
    js: script.js,
    matches: ['<all_urls>'],
    allFrames: true,
    runAt: 'document_start',
    world: script.world ?? 'ISOLATED',
    excludeMatches: script.excludeMatches ?? [],
    persistAcrossSessions: true,
  };
  if (!isFirefox) entry.matchOriginAsFallback = true;
  const found = await api.scripting.getRegisteredContentScripts({ ids: [script.id] });
  // Update in place when registered, so there is no moment without the script.
  if (found.length > 0) await api.scripting.updateContentScripts([entry]);
  else await api.scripting.registerContentScripts([entry]);
}

/** Removes a runtime content script if it is registered. */
export async function unregisterContentScript(id) {
  const found = await api.scripting.getRegisteredContentScripts({ ids: [id] });
  if (found.length > 0) await api.scripting.unregisterContentScripts({ ids: [id] });
}

/** Session-scoped storage (survives a background restart, not a browser restart). */
export const sessionStorage = api.storage.session;
