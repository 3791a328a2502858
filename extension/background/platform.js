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
   * @param {() => (null | {apply(topUrl: string): boolean, headers: string[][], stripCookies(url: string, topUrl: string): boolean})} decider
   *   returns null until the engine is ready. The same listener removes the `Cookie` header
   *   where `stripCookies` says so (one listener per header set, so the two never race).
   * @param {Promise<unknown>} ready resolves once the decider returns non-null.
   */
  installListener(decider, ready) {
    if (!isFirefox) return;
    const decide = (details, topUrl) => {
      const d = decider();
      let send;
      let strip = false;
      try {
        send = d.apply(topUrl);
        strip = d.stripCookies(details.url, topUrl);
      } catch (e) {
        console.error('crumbwall: signals decision failed, sending signals', e);
        send = true;
      }
      if (!send && !strip) return {};
      const names = new Set(send ? d.headers.map(([n]) => n.toLowerCase()) : []);
      if (strip) names.add('cookie');
      const headers = (details.requestHeaders ?? []).filter((h) => !names.has(h.name.toLowerCase()));
      if (send) for (const [name, value] of d.headers) headers.push({ name, value });
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
    await replaceDynamicRules(SIGNAL_RULE_IDS, rules);
  },
};

// ---------------------------------------------------------------------------------------------
// Applied browser state

/**
 * What this background already applied in this browser session: per key (a dynamic-rule block,
 * the enabled rulesets, a registered script) a hash of the last value applied. Rules, rulesets and
 * registrations persist in the browser, so a restarted background (Chromium stops an idle worker
 * after 30 s, Firefox unloads an idle event page) skips what has not changed instead of
 * re-applying everything. Kept in storage.session, which the browser empties when it restarts and
 * when the extension is reloaded or updated: then everything is applied once again.
 */
const APPLIED_KEY = 'appliedState';
let appliedLoad = null;
/** One chain per key: two applies of the same thing never interleave. */
const applyChains = new Map();

function appliedState() {
  appliedLoad ??= api.storage.session.get(APPLIED_KEY).then(
    (r) => (r?.[APPLIED_KEY] && typeof r[APPLIED_KEY] === 'object' ? r[APPLIED_KEY] : {}),
    () => ({}),
  );
  return appliedLoad;
}

/** A 53-bit hash of a string (cyrb53), as a base-36 string. */
function hash53(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * Runs `apply()` unless `value` is what was last applied under `key` in this browser session.
 * The hash is recorded only after `apply` succeeds; a failed apply (the browser refused a rule)
 * leaves the previous record, which still describes what is in force.
 */
export function applyOnce(key, value, apply) {
  const run = async () => {
    const fingerprint = hash53(JSON.stringify(value ?? null));
    const state = await appliedState();
    if (state[key] === fingerprint) return;
    await apply();
    state[key] = fingerprint;
    await api.storage.session.set({ [APPLIED_KEY]: state }).catch(() => {});
  };
  const next = (applyChains.get(key) ?? Promise.resolve()).then(run, run);
  applyChains.set(key, next.catch(() => {}));
  return next;
}

/**
 * Registers (or updates) a content script at runtime. Registrations persist across browser
 * restarts; the background re-applies them once per browser session (see `applyOnce`).
 * @param {{id: string, js: string[], world?: 'MAIN'|'ISOLATED', excludeMatches?: string[]}} script
 */
export async function registerContentScript(script) {
  return applyOnce(`script:${script.id}`, script, () => registerNow(script));
}

async function registerNow(script) {
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
  return applyOnce(`script:${id}`, null, () => unregisterNow(id));
}

async function unregisterNow(id) {
  const found = await api.scripting.getRegisteredContentScripts({ ids: [id] });
  if (found.length > 0) await api.scripting.unregisterContentScripts({ ids: [id] });
}

/** Dynamic DNR rule ids owned by the allow list (see crates/core/src/dnr.rs `ids`). */
const ALLOW_RULE_IDS = { first: 2000, count: 100 };

/** Replaces the dynamic rules in an id block with `rules`. */
async function replaceDynamicRules(block, rules) {
  return applyOnce(`dnr:${block.first}`, rules, () => replaceNow(block, rules));
}

/**
 * Block replacements waiting for the next batch. Every feature computes its rules at the same
 * moment (start-up, a settings change), so the replacements that arrive within one task go to the
 * browser as one `getDynamicRules` and one `updateDynamicRules`: the browser re-indexes the whole
 * dynamic ruleset on every update, and six separate round trips were most of the first start.
 */
let pendingBlocks = [];

function replaceNow(block, rules) {
  return new Promise((resolve, reject) => {
    pendingBlocks.push({ block, rules, resolve, reject });
    if (pendingBlocks.length === 1) setTimeout(flushBlocks, 0);
  });
}

async function flushBlocks() {
  const batch = pendingBlocks;
  pendingBlocks = [];
  const update = async (items) => {
    const existing = await api.declarativeNetRequest.getDynamicRules();
    const owned = (id) => items.some(({ block }) => id >= block.first && id < block.first + block.count);
    await api.declarativeNetRequest.updateDynamicRules({
      removeRuleIds: existing.map((r) => r.id).filter(owned),
      addRules: items.flatMap(({ rules }) => rules),
    });
  };
  try {
    await update(batch);
    for (const item of batch) item.resolve();
  } catch (e) {
    if (batch.length === 1) {
      batch[0].reject(e);
      return;
    }
    // The browser refused the batch (an update is atomic): each block alone, so that one block's
    // refused rule (a custom filter) leaves that block as it was and the others still land.
    for (const item of batch) {
      try {
        await update([item]);
        item.resolve();
      } catch (err) {
        item.reject(err);
      }
    }
  }
}

/**
 * Request blocking. Chromium: static rulesets per category (compiled at build time) plus dynamic
 * allow-list rules; the extension only observes outcomes. Firefox: a blocking webRequest
 * listener asks the WASM engine per request.
 */
export const blocking = {
  /**
   * Installs the request listeners. Call synchronously at background start.
   * @param {{
   *   decide: () => (null | ((url: string, source: string, type: string, top: string, method?: string) => number)),
   *   cancels: (code: number) => boolean,
   *   ready: Promise<unknown>,
   *   record: (tabId: number, url: string, type: string, code: number | null, top: string) => void,
   *   navigated: (tabId: number, url: string) => void,
   *   rewrite: () => (null | ((url: string, type: string, top: string) => string | undefined)),
   *   redirected: (tabId: number, type: string, from: string, to: string, ours: boolean) => void,
   *   tinyImage: (url: string, documentUrl: string) => void,
   * }} hooks  `record` gets the outcome code (see core `Outcome::code`), or null in Chromium when
   *   the request completed (allowed) and the code must be computed by the caller. `rewrite`
   *   (Firefox) cleans navigations; `redirected` hears of every navigation redirect, `ours` when
   *   Firefox's listener made it (Chromium's rules redirect silently: the caller checks).
   */
  installListeners({ decide, cancels, ready, record, navigated, rewrite, redirected, tinyImage }) {
    const urls = ['<all_urls>'];
    if (isFirefox) {
      const run = (details, top) => {
        const d = decide();
        let code = 0;
        try {
          code = d(details.url, details.documentUrl ?? details.originUrl ?? '', details.type, top, details.method);
        } catch (e) {
          console.error('crumbwall: blocking decision failed; request allowed', e);
        }
        record(details.tabId, details.url, details.type, code, top);
        if (cancels(code)) return { cancel: true };
        if (details.type !== 'main_frame' && details.type !== 'sub_frame') return {};
        let to;
        try {
          to = rewrite()?.(details.url, details.type, top);
        } catch (e) {
          console.error('crumbwall: link cleaning failed; navigation left alone', e);
        }
        if (typeof to !== 'string' || to === details.url) return {};
        redirected(details.tabId, details.type, details.url, to, true);
        return { redirectUrl: to };
      };
      api.webRequest.onBeforeRequest.addListener(
        (details) => {
          if (details.type === 'main_frame') navigated(details.tabId, details.url);
          const top = topUrlOf(details);
          if (decide() && typeof top === 'string') return run(details, top);
          return Promise.all([ready, top]).then(([, t]) => run(details, t), () => ({}));
        },
        { urls },
        ['blocking'],
      );
      // Responses can be observed here: a tiny image marks its host as pixel-serving.
      api.webRequest.onHeadersReceived.addListener(
        (d) => {
          const header = (name) => d.responseHeaders?.find((h) => h.name.toLowerCase() === name)?.value ?? '';
          const length = Number.parseInt(header('content-length'), 10);
          if (length >= 0 && length <= 100 && header('content-type').toLowerCase().startsWith('image/')) {
            tinyImage(d.url, d.documentUrl ?? d.originUrl ?? '');
          }
        },
        { urls, types: ['image'] },
        ['responseHeaders'],
      );
      return;
    }
    // Chromium: observe only. A request the rules blocked ends in ERR_BLOCKED_BY_CLIENT.
    api.webRequest.onBeforeRequest.addListener((d) => navigated(d.tabId, d.url), { urls, types: ['main_frame'] });
    api.webRequest.onErrorOccurred.addListener(
      (d) => {
        if (d.error === 'net::ERR_BLOCKED_BY_CLIENT') record(d.tabId, d.url, d.type, -1, d.initiator ?? '');
      },
      { urls },
    );
    api.webRequest.onCompleted.addListener((d) => record(d.tabId, d.url, d.type, null, d.initiator ?? ''), { urls });
    // Navigations the link rules redirected (the caller checks that the redirect was ours), and
    // frames the blocked-frame rules sent to about:blank (blocked: nothing reached the network).
    api.webRequest.onBeforeRedirect.addListener(
      (d) => {
        if (d.type === 'sub_frame' && d.redirectUrl === BLANK_FRAME) record(d.tabId, d.url, d.type, -1, d.initiator ?? '');
        else redirected(d.tabId, d.type, d.url, d.redirectUrl, false);
      },
      { urls, types: ['main_frame', 'sub_frame'] },
    );
  },

  /**
   * Enables the static rulesets of the enabled categories (Chromium), with their blocked-frame
   * rulesets (`<category>_frames`: a frame a list blocks by host loads `about:blank` instead of
   * the browser's error page, which took as long as loading a small page) only while the
   * extension has host access to every site: Chrome ignores a redirect rule where the user has
   * withheld host access, and the frame would then load; the block rules alone still block it.
   */
  async setCategories(enabled) {
    const frames = await hasEveryHost();
    return applyOnce('rulesets', { enabled, frames }, () => setCategoriesNow(enabled, frames));
  },

  /** Replaces the pixel and beacon rules (Chromium); Firefox's listener asks the core. */
  async applyPixelRules(rules) {
    if (isFirefox) return;
    await replaceDynamicRules(PIXEL_RULE_IDS, rules);
  },

  /**
   * Replaces the rules of the user's custom filters (Chromium); Firefox's listener asks the core.
   * One atomic update: if the browser refuses a rule, the previous rules stay and this throws.
   */
  async applyCustomRules(rules) {
    if (isFirefox) return;
    await replaceDynamicRules(CUSTOM_RULE_IDS, rules);
  },

  /** Replaces the allow-list rules (Chromium); Firefox's listener reads the settings itself. */
  async applyAllowlistRules(rules) {
    if (isFirefox) return;
    await replaceDynamicRules(ALLOW_RULE_IDS, rules);
  },
};

/** Where the blocked-frame rules send a frame (core `compile::frames::BLANK`). */
const BLANK_FRAME = 'about:blank';
const FRAMES_SUFFIX = '_frames';
/**
 * Whether the user lets the extension act on every site (Chromium can withhold host access); it
 * decides whether the blocked-frame rulesets can work. Always false in Firefox, which has none.
 */
export async function hasEveryHost() {
  if (isFirefox) return false;
  try {
    return await api.permissions.contains({ origins: ['<all_urls>'] });
  } catch {
    return false;
  }
}

/** Calls `listener` when the user grants or withholds host access (Chromium). Call at start. */
export function onHostAccessChanged(listener) {
  if (isFirefox) return;
  api.permissions.onAdded.addListener(listener);
  api.permissions.onRemoved.addListener(listener);
}

async function setCategoriesNow(enabled, frames) {
  const declared = (api.runtime.getManifest().declarative_net_request?.rule_resources ?? []).map((r) => r.id);
  if (declared.length === 0) return;
  if (isFirefox) {
    // The unpacked repository root declares the Chromium rulesets; Firefox decides in the listener.
    await api.declarativeNetRequest.updateEnabledRulesets({ disableRulesetIds: declared });
    return;
  }
  const on = (id) => (id.endsWith(FRAMES_SUFFIX) ? frames && enabled.includes(id.slice(0, -FRAMES_SUFFIX.length)) : enabled.includes(id));
  await api.declarativeNetRequest.updateEnabledRulesets({
    enableRulesetIds: declared.filter(on),
    disableRulesetIds: declared.filter((id) => !on(id)),
  });
}

/** Dynamic DNR rule ids owned by the user's custom filters (see crates/core/src/custom.rs). */
const CUSTOM_RULE_IDS = { first: 10000, count: 4000 };

/** Dynamic DNR rule ids owned by pixels and beacons (see crates/core/src/dnr.rs `ids`). */
const PIXEL_RULE_IDS = { first: 4000, count: 1000 };

/** Dynamic DNR rule ids owned by tracked links (see crates/core/src/dnr.rs `ids`). */
const LINK_RULE_IDS = { first: 3000, count: 100 };

/** Tracked links: Chromium's dynamic redirect rules; Firefox rewrites in the blocking listener. */
export const links = {
  /** Replaces the link rules (Chromium); a no-op in Firefox. */
  async applyRules(rules) {
    if (isFirefox) return;
    await replaceDynamicRules(LINK_RULE_IDS, rules);
  },
};

/** Dynamic DNR rule ids owned by the cookie header rules (see crates/core/src/dnr.rs `ids`). */
const COOKIE_RULE_IDS = { first: 5000, count: 100 };

/**
 * Cookies: the `cookies` API (every partition), header stripping (Chromium: dynamic rules;
 * Firefox: blocking listeners) and clearing a site's storage.
 */
export const cookies = {
  /** Replaces the cookie header rules (Chromium); Firefox strips in its listeners. */
  async applyRules(rules) {
    if (isFirefox) return;
    await replaceDynamicRules(COOKIE_RULE_IDS, rules);
  },

  /**
   * Firefox: removes `Set-Cookie` from the responses `strips(url, topUrl)` names and reports
   * each removed cookie to `stripped(tabId, url, names, topUrl)`. (The request's `Cookie` header
   * goes in the signals listener.) Call synchronously at background start.
   */
  installListener({ strips, stripped, ready }) {
    if (!isFirefox) return;
    const run = (d, top) => {
      const decide = strips();
      if (!decide || !decide(d.url, top)) return {};
      const names = [];
      const responseHeaders = d.responseHeaders.filter((h) => {
        if (h.name.toLowerCase() !== 'set-cookie') return true;
        // Firefox joins several Set-Cookie headers with line breaks.
        for (const line of String(h.value ?? '').split('\n')) names.push(line.split('=')[0].trim());
        return false;
      });
      stripped(d.tabId, d.url, names.filter(Boolean), top);
      return { responseHeaders };
    };
    api.webRequest.onHeadersReceived.addListener(
      (d) => {
        if (!d.responseHeaders?.some((h) => h.name.toLowerCase() === 'set-cookie')) return {};
        const top = topUrlOf(d);
        if (strips() && typeof top === 'string') return run(d, top);
        return Promise.all([ready, top]).then(([, t]) => run(d, t), () => ({}));
      },
      { urls: ['<all_urls>'] },
      ['blocking', 'responseHeaders'],
    );
  },

  /** Every cookie whose domain is `domain` or below it (every cookie without one), partitioned ones included. */
  async getAll(domain) {
    const filter = domain === undefined ? {} : { domain };
    if (isFirefox) return api.cookies.getAll({ ...filter, partitionKey: {} });
    return api.cookies.getAll(filter);
  },

  /** What `remove` needs to remove this cookie (a plain JSON object). */
  removal(c) {
    const host = c.domain.replace(/^\./, '');
    const details = { url: `http${c.secure ? 's' : ''}://${host}${c.path || '/'}`, name: c.name, storeId: c.storeId };
    if (c.partitionKey) details.partitionKey = c.partitionKey;
    if (isFirefox && c.firstPartyDomain) details.firstPartyDomain = c.firstPartyDomain;
    return details;
  },

  /** Removes one cookie; resolves to whether the browser removed something. */
  async remove(details) {
    try {
      return Boolean(await api.cookies.remove(details));
    } catch (e) {
      console.warn('crumbwall: cookie not removed', details, e);
      return false;
    }
  },

  /**
   * Clears the other storage of a site: localStorage, IndexedDB, Cache Storage and service
   * workers, through browsingData (Chromium by origin, Firefox by host name) and, for what
   * browsingData cannot reach per site in Firefox (Cache Storage), inside the site's open tabs.
   * Resolves to the kinds of storage cleared.
   * @param {string[]} hosts host names of the site (the site itself and its subdomains seen)
   * @param {number[]} tabIds open tabs showing the site
   */
  async clearStorage(hosts, tabIds) {
    const kinds = ['localStorage', 'indexedDB', 'cacheStorage', 'serviceWorkers'];
    if (isFirefox) {
      await api.browsingData.remove({ hostnames: hosts }, { localStorage: true, indexedDB: true, serviceWorkers: true });
    } else {
      const origins = hosts.flatMap((h) => [`http://${h}`, `https://${h}`]);
      await api.browsingData.remove({ origins }, { localStorage: true, indexedDB: true, cacheStorage: true, serviceWorkers: true, fileSystems: true });
    }
    // In the site's open pages too: a live page keeps its storage objects, and Firefox's
    // browsingData has no per-site Cache Storage removal.
    await Promise.all(
      tabIds.map((tabId) =>
        api.scripting
          .executeScript({ target: { tabId, allFrames: false }, func: clearPageStorage })
          .catch((e) => console.warn('crumbwall: could not clear storage in tab', tabId, e)),
      ),
    );
    return kinds;
  },
};

/** Runs in a page of the site being forgotten: empties the storage its origin can reach. */
async function clearPageStorage() {
  try {
    globalThis.localStorage.clear();
    globalThis.sessionStorage.clear();
  } catch {}
  try {
    for (const db of (await indexedDB.databases?.()) ?? []) if (db.name) indexedDB.deleteDatabase(db.name);
  } catch {}
  try {
    for (const key of await caches.keys()) await caches.delete(key);
  } catch {}
  try {
    for (const r of (await navigator.serviceWorker?.getRegistrations()) ?? []) await r.unregister();
  } catch {}
  return true;
}

/** Shows a per-tab count on the toolbar button. */
export function setBadge(tabId, count) {
  if (tabId < 0) return;
  const text = count > 0 ? String(count > 999 ? '999+' : count) : '';
  api.action.setBadgeText({ tabId, text }).catch(() => {});
}

/** Session-scoped storage (survives a background restart, not a browser restart). */
export const sessionStorage = api.storage.session;
