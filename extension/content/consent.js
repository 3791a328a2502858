// Cookie-notice hiding, in every frame from document_start (isolated world). Asks the background
// for the selectors the cookie-notice lists give this page (it inserts them as a user style
// sheet at once, before first paint where the answer is back in time), then sends the class and
// id names the page uses as it is parsed and changes, for the lists' generic selectors (the
// background inserts those too), and reports which selectors matched something, for the popup.
// The background decides (through the core) whether anything is hidden on this page.
// Once the frame has loaded, it asks the background to start autoconsent here (injected, not a
// manifest script, so that its start-up never delays the page's load event).
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  if (globalThis.__crumbwallConsent) return;
  globalThis.__crumbwallConsent = true;

  const doc = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const send = (m) => api.runtime.sendMessage(m).catch(() => null);

  /** Selectors in force on this page, and those already seen matching something. */
  const active = new Set();
  const matched = new Set();
  const seenClasses = new Set();
  const seenIds = new Set();
  let exceptions = [];
  let pendingClasses = [];
  let pendingIds = [];
  let flushTimer = null;
  let checkTimer = null;
  /** Soft hiding (invisible, box kept) until autoconsent is done with the page; then for good. */
  let soft = false;
  let settled = false;
  const hard = new Set();
  const MAX_NAMES = 5000;

  function note(el) {
    if (el.id && !seenIds.has(el.id) && seenIds.size < 50000) {
      seenIds.add(el.id);
      pendingIds.push(el.id);
    }
    const cl = el.classList;
    if (cl) {
      for (const c of cl) {
        if (!seenClasses.has(c) && seenClasses.size < 50000) {
          seenClasses.add(c);
          pendingClasses.push(c);
        }
      }
    }
  }

  function scan(root) {
    if (root.nodeType !== 1) return;
    note(root);
    for (const el of root.querySelectorAll('[id],[class]')) note(el);
  }

  function check() {
    checkTimer = null;
    const found = [];
    for (const sel of active) {
      if (matched.has(sel)) continue;
      try {
        if (document.querySelector(sel)) {
          matched.add(sel);
          found.push(sel);
        }
      } catch {
        matched.add(sel); // not a selector this browser reads: never matches
      }
    }
    if (found.length) send({ type: 'crumbwall:bannerHidden', selectors: found.slice(0, 50) });
    if (settled && soft) settle(0);
  }

  /** Asks the background to hide for good what matched (it waits while autoconsent works here). */
  async function settle(tries) {
    const selectors = [...matched].filter((s) => !hard.has(s));
    if (!selectors.length) return;
    const r = await send({ type: 'crumbwall:bannerSettle', selectors, force: tries >= 15 });
    if (r?.done) for (const sel of selectors) hard.add(sel);
    else setTimeout(() => settle(tries + 1), 1000);
  }

  function scheduleCheck() {
    checkTimer ??= setTimeout(check, 50);
  }

  async function flush() {
    flushTimer = null;
    while (pendingClasses.length || pendingIds.length) {
      const classes = pendingClasses.splice(0, MAX_NAMES);
      const ids = pendingIds.splice(0, MAX_NAMES);
      const r = await send({ type: 'crumbwall:bannerClasses', url: location.href, classes, ids, exceptions, settled });
      for (const sel of r?.selectors ?? []) active.add(sel);
    }
    scheduleCheck();
  }

  function scheduleFlush(delay) {
    flushTimer ??= setTimeout(flush, delay);
  }

  function watch() {
    // Elements as the parser adds them and as scripts add them later (banners often come late).
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') note(r.target);
        else for (const n of r.addedNodes) scan(n);
      }
      if (pendingClasses.length || pendingIds.length) scheduleFlush(document.readyState === 'loading' ? 0 : 100);
      else if (active.size > matched.size) scheduleCheck();
    }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'id'] });
    if (document.documentElement) scan(document.documentElement);
    scheduleFlush(0);
  }

  /** After the load event, or this long after DOMContentLoaded when the load is slow. */
  const AUTOCONSENT_FALLBACK_MS = 1000;
  const loaded = new Promise((resolve) => {
    if (document.readyState === 'complete') return resolve();
    addEventListener('load', () => setTimeout(resolve, 0), { once: true });
    const fallback = () => setTimeout(resolve, AUTOCONSENT_FALLBACK_MS);
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fallback, { once: true });
    else fallback();
  });
  // The background injects autoconsent into this frame where the policy lets it decline.
  const autoconsentAsked = loaded.then(() => send({ type: 'crumbwall:autoconsent' }));

  send({ type: 'crumbwall:bannerCss', url: location.href, doc }).then((r) => {
    if (!r || !r.hide) return;
    exceptions = Array.isArray(r.exceptions) ? r.exceptions : [];
    soft = Boolean(r.soft);
    settled = !soft;
    for (const sel of r.selectors ?? []) active.add(sel);
    if (!r.generichide) watch();
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scheduleCheck, { once: true });
    else scheduleCheck();
    addEventListener('load', scheduleCheck, { once: true });
    if (soft) {
      // Soft until autoconsent has had 1.5 s here to find the banner (it needs to see its box).
      autoconsentAsked.then(() =>
        setTimeout(() => {
          check();
          settled = true;
          settle(0);
        }, 1500),
      );
    }
  });
})();
