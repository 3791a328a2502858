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

/**
 * The top-level page URL of a webRequest `details` object (Firefox only fills `frameAncestors`).
 * @param {object} details
 * @returns {string}
 */
function topUrlOf(details) {
  if (details.type === 'main_frame') return details.url;
  const ancestors = details.frameAncestors;
  if (Array.isArray(ancestors) && ancestors.length > 0) return ancestors[ancestors.length - 1].url ?? '';
  return details.documentUrl ?? details.originUrl ?? '';
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
    const handle = (details) => {
      const d = decider();
      let send;
      try {
        send = d.apply(topUrlOf(details));
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
      (details) => (decider() ? handle(details) : ready.then(() => handle(details), () => ({}))),
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
 * Registers (or replaces) a content script registered at runtime. Chromium persists registrations
 * across restarts itself; Firefox re-registers at every start (the background calls this then).
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
    persistAcrossSessions: !isFirefox,
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
