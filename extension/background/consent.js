// Cookie-consent banners. Two content scripts work in every frame:
// - Crumbwall's content/consent.js (manifest, every frame, document_start), which asks for the
//   cookie-notice list's selectors for its page and for the classes and ids it sees, and reports
//   what they hid. This module injects the style sheets (scripting.insertCSS, user origin, so
//   pages cannot override them). When the page has loaded it asks for autoconsent.
// - `@duckduckgo/autoconsent`'s prebuilt content script (extension/vendor/autoconsent/, copied
//   from the npm package at build time), which finds the page's consent platform and declines
//   every purpose through the platform's own controls. This module injects it into the asking
//   frame (scripting.executeScript) only where the policy lets it decline, and only after the
//   frame's load event (or a second after DOMContentLoaded): its start-up (~135 KB of script, a
//   few dozen consent platforms set up) then never delays the page's load. It asks this module
//   for its rules and config (`init`), to run named page snippets in the MAIN world (`eval`), and
//   reports what it found and did. Opt-out only: the config never asks for opt-in, and
//   heuristic clicking is off.
//
// The core decides everything that is a decision: the per-page policy (switches, per-site
// exception, allow list), the selectors, the bound on retries. Messages are accepted only from
// this extension's content scripts in tabs, only of the types above, and only in the expected
// shape; the router in messages.js keeps serving the extension's own pages alone.
//
// A consent platform that shows its banner again after being declined (on reload or in the
// page) is declined at most `consentMaxAttempts()` times per tab and site, then given up and
// reported as such; it is never retried forever.

import { api, sessionStorage } from './platform.js';
import { ready, mutate } from './engine.js';
import { handle } from './messages.js';
import { Crumbwall, siteOfUrl } from '../pkg/crumbwall_wasm.js';
import { evalSnippets, filterCompactRules } from '../vendor/autoconsent/autoconsent.esm.js';

/** The cookie-notice cosmetic filters, loaded into the core once. */
const hiderReady = ready.then(async (c) => {
  try {
    const response = await fetch(api.runtime.getURL('extension/engine/consent.bin'));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    c.loadBannerHider(new Uint8Array(await response.arrayBuffer()));
  } catch (e) {
    console.error('crumbwall: the cookie-banner filters could not be loaded; banners are not hidden', e);
  }
  return c;
});

/** autoconsent's compact rules (bundled from the npm package), read on first use. */
let rules = null;
function compactRules() {
  rules ??= fetch(api.runtime.getURL('extension/vendor/autoconsent/compact-rules.json')).then((r) => {
    if (!r.ok) throw new Error(`consent rules: HTTP ${r.status}`);
    return r.json();
  });
  return rules;
}

/** autoconsent's config: opt-out only, no heuristic clicking, no logs, no visual test. */
function autoconsentConfig(enabled) {
  return {
    enabled,
    autoAction: 'optOut',
    disabledCmps: [],
    enablePrehide: true,
    enableCosmeticRules: true,
    enableGeneratedRules: true,
    enableHeuristicDetection: false,
    enablePopupMutationObserver: false,
    heuristicMode: 'off',
    detectRetries: 20,
    isMainWorld: false,
    prehideTimeout: 2000,
    visualTest: false,
    performanceLoggingEnabled: false,
    heuristicPopupSearchTimeout: 100,
    logs: { lifecycle: false, rulesteps: false, detectionsteps: false, evals: false, errors: false, messages: false, waits: false },
  };
}

// ---------------------------------------------------------------------------------------------
// What happened per tab (kept in session storage across a background restart)

/**
 * @typedef {{site: string|null, doc: string|null, cmp: string|null, status: string, selfTest: boolean|null,
 *   attempts: number, hidden: string[], selfTestFrame: number|null, at: number}} TabConsent
 * status: none | found | declining | declined | failed | gave-up
 */
/** @type {Map<number, TabConsent>} */
const tabs = new Map();
let saveTimer = null;
const MAX_HIDDEN = 20;

function fresh(site, doc = null, attempts = 0) {
  return { site, doc, cmp: null, status: 'none', selfTest: null, attempts, hidden: [], selfTestFrame: null, at: Date.now() };
}

function siteOf(url) {
  try {
    return siteOfUrl(url) ?? null;
  } catch {
    return null;
  }
}

function tabState(tabId, site) {
  let s = tabs.get(tabId);
  if (!s) {
    s = fresh(site);
    tabs.set(tabId, s);
  }
  return s;
}

function changed() {
  saveTimer ??= setTimeout(() => {
    saveTimer = null;
    sessionStorage.set({ consentTabs: Object.fromEntries(tabs) }).catch(() => {});
  }, 200);
}

const restored = sessionStorage
  .get('consentTabs')
  .then(({ consentTabs }) => {
    if (!consentTabs || typeof consentTabs !== 'object') return;
    for (const [id, s] of Object.entries(consentTabs)) {
      const tabId = Number(id);
      if (!tabs.has(tabId) && s && typeof s === 'object') tabs.set(tabId, s);
    }
  })
  .catch(() => {});

// ---------------------------------------------------------------------------------------------
// Message checks

const STR = 'string';
const BOOL = 'boolean';
const NUM = 'number';
const STRINGS = 'strings';
const MAX_TEXT = 8192;
const MAX_LIST = 5000;

/** Fields per accepted message type (extra fields are ignored, missing or mistyped refused). */
const SHAPES = {
  // autoconsent's content script (lib/messages.ts)
  init: { url: STR },
  eval: { id: STR, snippetId: STR },
  cmpDetected: { cmp: STR },
  popupFound: { cmp: STR },
  optOutResult: { cmp: STR, result: BOOL, scheduleSelfTest: BOOL },
  optInResult: { cmp: STR, result: BOOL },
  selfTestResult: { cmp: STR, result: BOOL },
  autoconsentDone: { cmp: STR, isCosmetic: BOOL },
  autoconsentError: {},
  report: {},
  visualDelay: {},
  // Crumbwall's content/consent.js
  'crumbwall:bannerCss': { url: STR, doc: STR },
  'crumbwall:bannerClasses': { url: STR, classes: STRINGS, ids: STRINGS, exceptions: STRINGS, settled: BOOL },
  'crumbwall:bannerSettle': { selectors: STRINGS, force: BOOL },
  'crumbwall:bannerHidden': { selectors: STRINGS },
  'crumbwall:autoconsent': {},
};

function shapeProblem(m) {
  const shape = SHAPES[m.type];
  if (!shape) return `unknown message type`;
  for (const [name, kind] of Object.entries(shape)) {
    const v = m[name];
    if (kind === STRINGS) {
      if (!Array.isArray(v) || v.length > MAX_LIST || !v.every((x) => typeof x === STR && x.length <= 1000)) return `field ${name}`;
    } else if (typeof v !== kind || (kind === STR && v.length > MAX_TEXT) || (kind === NUM && !Number.isFinite(v))) {
      return `field ${name}`;
    }
  }
  return null;
}

/** A content script of this extension running in a web page's frame (never an extension page). */
function fromOwnContentScript(sender) {
  if (sender?.id !== api.runtime.id) return false;
  if (!sender.tab || typeof sender.tab.id !== NUM || sender.tab.id < 0 || typeof sender.frameId !== NUM) return false;
  const url = String(sender.url ?? '');
  if (url.startsWith(api.runtime.getURL(''))) return false;
  return /^(https?:|about:)/.test(url);
}

// ---------------------------------------------------------------------------------------------
// Answers

/** Sends a message to one frame of a tab; a frame that is gone is not an error. */
function toFrame(tabId, frameId, message) {
  return api.tabs.sendMessage(tabId, message, { frameId }).catch(() => {});
}

/** The tab's top page URL: the frame's own for the top frame, the tab's for the others. */
function topUrlOf(sender) {
  return sender.frameId === 0 ? sender.url : sender.tab.url ?? '';
}

/** Frames where autoconsent found a banner and has not finished with it: `tabId:frameId`. */
const busy = new Set();
const frameKey = (sender) => `${sender.tab.id}:${sender.frameId}`;

/**
 * Inserts the hiding style sheet into the sender's frame. `soft` (while autoconsent may still
 * answer a banner) keeps the elements' boxes so its rules still see them; see core `style_sheet`.
 */
async function insertCss(sender, selectors, soft) {
  const css = Crumbwall.bannerStyleSheet(selectors, soft);
  if (!css) return;
  await api.scripting
    .insertCSS({ target: { tabId: sender.tab.id, frameIds: [sender.frameId] }, css, origin: 'USER' })
    .catch((e) => console.warn('crumbwall: banner style sheet not inserted', e));
}

/** autoconsent's content script, injected by {@link injectAutoconsent}. */
const AUTOCONSENT_SCRIPT = 'extension/vendor/autoconsent/content.bundle.js';

/**
 * Injects autoconsent into the sender's frame: its document only where the browser names it
 * (Chromium's `documentId`), so a frame that navigated meanwhile never gets a second copy.
 */
async function injectAutoconsent(sender) {
  const target = typeof sender.documentId === 'string'
    ? { tabId: sender.tab.id, documentIds: [sender.documentId] }
    : { tabId: sender.tab.id, frameIds: [sender.frameId] };
  try {
    await api.scripting.executeScript({ target, files: [AUTOCONSENT_SCRIPT] });
    return true;
  } catch (e) {
    console.warn('crumbwall: autoconsent not injected', e);
    return false;
  }
}

/** Runs one of autoconsent's predefined page snippets in the frame's page (MAIN world). */
async function runSnippet(sender, snippetId) {
  // Only the package's own named functions: never code from the message (no remote code).
  if (!Object.prototype.hasOwnProperty.call(evalSnippets, snippetId) || typeof evalSnippets[snippetId] !== 'function') return false;
  try {
    const [r] = await api.scripting.executeScript({
      target: { tabId: sender.tab.id, frameIds: [sender.frameId] },
      world: 'MAIN',
      func: evalSnippets[snippetId],
    });
    return Boolean(r?.result);
  } catch {
    return false;
  }
}

async function onMessage(m, sender) {
  await restored;
  const tabId = sender.tab.id;
  const frameId = sender.frameId;
  const top = topUrlOf(sender);
  const site = siteOf(top);
  const c = await ready;
  const policy = c.consentPolicy(top);
  const max = Crumbwall.consentMaxAttempts();
  let s = tabs.get(tabId);
  // A new page in the tab: Crumbwall's content script speaks first in every document.
  if (m.type === 'crumbwall:bannerCss' && frameId === 0 && (!s || s.doc !== m.doc)) {
    s = fresh(site, m.doc, s && s.site === site ? s.attempts : 0);
    if (s.attempts >= max) s.status = 'gave-up';
    tabs.set(tabId, s);
    changed();
  }
  s = tabState(tabId, site);

  switch (m.type) {
    case 'crumbwall:bannerCss': {
      if (!policy.hideBanners) return { hide: false };
      const h = await hiderReady;
      const page = h.bannerSelectors(m.url);
      const soft = policy.autoDecline;
      await insertCss(sender, page.hide, soft);
      return { hide: true, soft, generichide: page.generichide, exceptions: page.exceptions, selectors: page.hide };
    }
    case 'crumbwall:bannerClasses': {
      if (!policy.hideBanners) return { selectors: [] };
      const h = await hiderReady;
      const selectors = h.bannerClassIdSelectors(m.classes, m.ids, m.exceptions);
      await insertCss(sender, selectors, policy.autoDecline && !m.settled);
      return { selectors };
    }
    case 'crumbwall:bannerSettle': {
      // The content script asks to hide for good what matched; not while autoconsent is busy here.
      if (!policy.hideBanners) return { done: true };
      if (busy.has(frameKey(sender)) && !m.force) return { done: false };
      await insertCss(sender, m.selectors, false);
      return { done: true };
    }
    case 'crumbwall:bannerHidden': {
      if (!policy.hideBanners) return null;
      for (const sel of m.selectors) if (s.hidden.length < MAX_HIDDEN && !s.hidden.includes(sel)) s.hidden.push(sel);
      changed();
      return null;
    }
    case 'crumbwall:autoconsent': {
      // Where it could not decline anyway (switched off, allow-listed, given up), it is not run.
      if (!policy.autoDecline || s.attempts >= max) return { injected: false };
      return { injected: await injectAutoconsent(sender) };
    }
    case 'init': {
      // Given up on this site in this tab: autoconsent stays idle (the banner is left to the user).
      const enabled = policy.autoDecline && s.attempts < max;
      let compact = { v: 1, s: [], r: [] };
      if (enabled) {
        try {
          compact = filterCompactRules(await compactRules(), { url: sender.url, mainFrame: frameId === 0 });
        } catch (e) {
          console.error('crumbwall: consent rules unavailable', e);
        }
      }
      await toFrame(tabId, frameId, { type: 'initResp', rules: { autoconsent: [], compact }, config: autoconsentConfig(enabled) });
      return null;
    }
    case 'eval': {
      const result = policy.autoDecline ? await runSnippet(sender, m.snippetId) : false;
      await toFrame(tabId, frameId, { type: 'evalResp', id: m.id, result });
      return null;
    }
    case 'cmpDetected':
      s.cmp ??= m.cmp;
      changed();
      return null;
    case 'popupFound':
      busy.add(frameKey(sender));
      s.cmp = m.cmp;
      s.attempts += 1;
      s.status = 'found';
      changed();
      return null;
    case 'optOutResult':
      if (!m.result) busy.delete(frameKey(sender));
      s.cmp = m.cmp;
      s.status = m.result ? 'declining' : s.attempts >= max ? 'gave-up' : 'failed';
      s.selfTestFrame = m.result && m.scheduleSelfTest ? frameId : null;
      changed();
      return null;
    case 'optInResult':
      // Never requested; recorded so it would show, never acted on.
      console.warn('crumbwall: unexpected opt-in result from', m.cmp);
      return null;
    case 'autoconsentDone':
      busy.delete(frameKey(sender));
      s.cmp = m.cmp;
      s.status = m.isCosmetic ? 'hidden-by-rule' : 'declined';
      if (s.selfTestFrame !== null) {
        const f = s.selfTestFrame;
        s.selfTestFrame = null;
        await toFrame(tabId, f, { type: 'selfTest' });
      }
      changed();
      return null;
    case 'selfTestResult':
      s.selfTest = m.result;
      if (!m.result) {
        // The choice did not stick (or the banner came back): decline again, a bounded number of times.
        if (s.attempts < max) {
          s.attempts += 1;
          s.status = 'declining';
          s.selfTestFrame = frameId;
          changed();
          await toFrame(tabId, frameId, { type: 'optOut' });
          return null;
        }
        s.status = 'gave-up';
      }
      changed();
      return null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Installation

/** Installs the content-script listener and the popup/options handlers. Call synchronously at start. */
export function installConsent() {
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Extension pages are the router's (messages.js); web pages cannot reach runtime.onMessage.
    if (!fromOwnContentScript(sender)) return false;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string' || shapeProblem(message)) {
      sendResponse(null);
      return false;
    }
    onMessage(message, sender).then(
      (r) => sendResponse(r ?? null),
      (e) => {
        console.error('crumbwall: consent message failed', message.type, e);
        sendResponse(null);
      },
    );
    return true;
  });
  api.tabs.onRemoved.addListener((tabId) => {
    if (tabs.delete(tabId)) changed();
  });

  // The popup: what happened on the tab's page, and the per-site switch.
  handle('getConsentState', { tabId: 'number' }, async (m) => {
    await restored;
    const c = await ready;
    let url = '';
    try {
      url = (await api.tabs.get(m.tabId)).url ?? '';
    } catch {}
    const site = siteOf(url);
    const s = tabs.get(m.tabId);
    const page = s && s.site === site ? s : fresh(site);
    const settings = c.settings();
    return {
      site,
      policy: c.consentPolicy(url),
      switches: { autoDecline: settings.consent.auto_decline, hideBanners: settings.consent.hide_banners },
      cmp: page.cmp,
      status: page.status,
      selfTest: page.selfTest,
      attempts: page.attempts,
      maxAttempts: Crumbwall.consentMaxAttempts(),
      hidden: page.hidden,
    };
  });

  handle('setConsentException', { site: 'string', excepted: 'boolean' }, (m) =>
    mutate((c) => c.setConsentException(m.site, m.excepted), async () => {}),
  );
}
