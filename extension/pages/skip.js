// Chromium: a click-tracking redirector's URL arrives here in the fragment (the core's link
// rules, crates/core/src/links). The background reads the destination out of it and the page
// replaces itself with the destination, so the redirector never sees the click.
// It never goes back to the redirector URL itself: the rule would send it here again.

const api = globalThis.browser ?? globalThis.chrome;
const t = (key) => api.i18n.getMessage(key) || key;

for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);

const original = location.hash.slice(1);

function fail() {
  document.getElementById('status').textContent = t('skipFailed');
  const p = document.getElementById('original');
  p.textContent = original;
  p.hidden = false;
}

api.runtime
  .sendMessage({ type: 'skipRedirector', url: original })
  .then((reply) => {
    const to = reply?.result?.to;
    if (typeof to === 'string' && /^https?:\/\//i.test(to)) location.replace(to);
    else fail();
  }, fail);
