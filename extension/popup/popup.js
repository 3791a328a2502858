// The popup: what Crumbwall does on the current site, and the controls to change it.
// Presentation only; every decision comes from the background (the core).
// The protection part renders from one quick message (`getState`); the cookies and the site's
// GPC declaration (a network check) fill in after, so a slow answer never delays the first paint.
import { api, el, localize, send, t, reasonText } from '../shared/ui.js';

const $ = (id) => document.getElementById(id);

/** The tab to show: `?tabId=N` (tests, or the popup opened as a page), else the active tab. */
function target() {
  const q = new URLSearchParams(location.search);
  const tabId = Number.parseInt(q.get('tabId') ?? '', 10);
  return Number.isInteger(tabId) ? { tabId } : {};
}

/**
 * Hosts where browsers forbid extensions to act (their add-on stores and account pages):
 * Chromium's web stores, and Firefox's `extensions.webextensions.restrictedDomains` default.
 */
const RESTRICTED_HOSTS = new Set([
  'chromewebstore.google.com', 'microsoftedge.microsoft.com',
  'addons.mozilla.org', 'discovery.addons.mozilla.org', 'install.mozilla.org', 'support.mozilla.org',
  'accounts.firefox.com', 'api.accounts.firefox.com', 'oauth.accounts.firefox.com', 'profile.accounts.firefox.com',
  'accounts-static.cdn.mozilla.net', 'addons.cdn.mozilla.net', 'content.cdn.mozilla.net', 'sync.services.mozilla.com',
]);

/** Why the extension cannot act on `url` ('none' | 'file' | 'store' | 'browser'), or null when it can. */
function unsupportedKind(url, site) {
  if (!url) return 'none';
  let u;
  try {
    u = new URL(url);
  } catch {
    return 'none';
  }
  if (u.protocol === 'file:') return 'file';
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    if (RESTRICTED_HOSTS.has(u.hostname) || (u.hostname === 'chrome.google.com' && u.pathname.startsWith('/webstore'))) return 'store';
    return site ? null : 'none';
  }
  return 'browser';
}

let current = null;

async function render() {
  const state = await send('getState', target());
  current = state;
  const problems = state.settingsProblems?.problems ?? [];
  $('problems').hidden = problems.length === 0;
  $('problem-list').replaceChildren(...problems.map((p) => el('li', {}, p)));

  const kind = unsupportedKind(state.url, state.site);
  $('site').textContent = kind ? t('popupNoSite') : state.site;
  $('unsupported').hidden = !kind;
  if (kind) $('unsupported').textContent = t(`unsupported_${kind}`);
  for (const id of ['protection', 'cookies', 'signals']) $(id).hidden = Boolean(kind);
  document.body.dataset.page = kind ?? 'site';
  if (kind) return false;

  const p = state.protection;
  const sw = $('protection-site');
  sw.checked = p.on;
  const anyCategory = Object.values(p.categories).some(Boolean);
  $('protection-state').textContent = !p.on ? t('protectionOffText') : anyCategory ? t('protectionOnText') : t('protectionNoCategories');
  const report = state.tab;
  $('blocked-total').textContent = String(report.blocked);
  for (const li of document.querySelectorAll('#counts li')) {
    const cat = li.dataset.category;
    li.querySelector('b').textContent = String(report.counts[cat] ?? 0);
    if (cat in p.categories) li.classList.toggle('off', !p.categories[cat]);
  }
  $('trackers-count').textContent = String(report.hosts.length);
  $('trackers-empty').hidden = report.hosts.length > 0;
  $('hosts').closest('table').hidden = report.hosts.length === 0;
  $('hosts').replaceChildren(
    ...report.hosts.map((h) => {
      const category = h.category ? t(`cat_${h.category}`) : '—';
      const tr = el('tr', { 'data-host': h.host, 'data-action': h.action },
        el('td', {}, h.host),
        el('td', {}, h.pixel ? `${category} · ${t('countPixels')}` : category),
        el('td', { class: `action-${h.action}` }, t(`action_${h.action.replaceAll('-', '_')}`)));
      if (h.pixel) tr.dataset.pixel = '1';
      return tr;
    }),
  );

  const s = state.signals;
  const stateEl = $('signals-state');
  stateEl.className = `state ${s.sent ? 'on' : 'off'}`;
  stateEl.textContent = !s.enabled ? t('signalsOffGlobally') : s.excepted ? t('signalsExcepted') : t('signalsSent');
  const box = $('signals-site');
  box.checked = s.sent;
  box.disabled = !s.enabled;
  return true;
}

const PURPOSES = ['technical', 'personalization', 'statistical', 'advertising', 'social', 'unknown'];

/** The Cookies panel: each cookie of the page under its purpose, with what the policy did. */
async function renderCookies() {
  const { cookies, counts } = await send('getCookies', target());
  const removed = cookies.filter((c) => c.action === 'deleted' || c.action === 'blocked').length;
  $('count-cookies').textContent = String(removed);
  $('cookies-count').textContent = String(cookies.length);
  $('cookies-empty').hidden = cookies.length > 0;
  $('cookie-counts').replaceChildren(
    ...PURPOSES.filter((p) => counts[p]).map((p) => el('li', { 'data-purpose': p }, el('span', {}, t(`purpose_${p}`)), ' ', el('b', {}, String(counts[p])))),
  );
  $('cookie-groups').replaceChildren(
    ...PURPOSES.filter((p) => counts[p]).map((p) =>
      el(
        'details',
        { class: 'cookie-group', 'data-purpose': p, open: p !== 'technical' },
        el('summary', {}, `${t(`purpose_${p}`)} (${counts[p]})`),
        el('ul', {}, ...cookies.filter((c) => c.purpose === p).map(cookieRow)),
      ),
    ),
  );
}

function cookieRow(c) {
  const li = el(
    'li',
    { class: 'cookie', 'data-name': c.name, 'data-domain': c.domain, 'data-purpose': c.purpose, 'data-action': c.action, 'data-third-party': String(c.thirdParty) },
    el('span', { class: 'name' }, c.name || '""'),
    el('span', { class: 'meta' }, `${c.domain}${c.thirdParty ? ` · ${t('thirdParty')}` : ''} · `, el('span', { class: 'action' }, t(`cookieAction_${c.action}`))),
    el('span', { class: 'reason', title: `${Math.round(c.confidence * 100)} %` }, reasonText(c)),
  );
  if (c.id && c.action !== 'deleted') {
    li.append(
      el('button', {
        type: 'button',
        class: 'delete-cookie',
        textContent: t('deleteCookie'),
        'aria-label': t('deleteCookieNamed', c.name || '""', c.domain),
        onclick: async () => {
          try {
            await send('deleteCookie', { id: c.id });
          } catch (e) {
            $('cookies-error').textContent = e.message;
          }
          await renderCookies().catch((e) => { $('cookies-error').textContent = e.message; });
        },
      }),
    );
  }
  return li;
}

/** Whether the site declares that it honours GPC (checked by the background, cached a day). */
async function renderGpc() {
  const out = $('gpc-site');
  try {
    const g = await send('getGpcStatus', target());
    if (!g) return;
    out.dataset.status = g.status;
    const when = new Date(g.checkedAt).toLocaleString(api.i18n.getUILanguage(), { dateStyle: 'short', timeStyle: 'short' });
    out.textContent = `${t(`gpc_${g.status.replace('-', '_')}`)} ${t('gpcChecked', when)}`;
  } catch (e) {
    out.dataset.status = 'error';
    out.textContent = `${t('gpc_unreachable')} (${e.message})`;
  }
}

/** Firefox lets the user revoke the access to websites: say so, and offer to ask again. */
async function renderPermissions() {
  let granted = true;
  try {
    granted = await api.permissions.contains({ origins: ['<all_urls>'] });
  } catch {
    // Not supported: nothing to say.
  }
  $('permissions').hidden = granted;
  document.body.dataset.hostAccess = String(granted);
}

async function renderAll() {
  const site = await render();
  document.body.dataset.protectionReady = '1';
  performance.mark('crumbwall-protection-rendered');
  if (!site) return;
  renderGpc();
  await renderCookies().catch((e) => {
    $('cookies-error').textContent = e.message;
  });
}

// Controls: wired once, they act on the state last rendered.
localize();
$('protection-site').addEventListener('change', async (e) => {
  $('protection-error').textContent = '';
  try {
    await send('setProtection', { site: current.site, on: e.target.checked });
  } catch (err) {
    $('protection-error').textContent = err.message;
  }
  await render();
});
$('signals-site').addEventListener('change', async (e) => {
  $('signals-error').textContent = '';
  try {
    await send('setSignalException', { site: current.site, excepted: !e.target.checked });
  } catch (err) {
    $('signals-error').textContent = err.message;
  }
  await render();
});
$('forget-site').addEventListener('click', async () => {
  const forget = $('forget-site');
  $('cookies-error').textContent = '';
  forget.disabled = true;
  try {
    const r = await send('forgetSite', { site: current.site });
    const kinds = r.storage.map((k) => t(`storage_${k}`)).join(', ');
    $('forget-result').textContent = t('forgotSite', r.site, r.cookies, kinds || '—');
  } catch (e) {
    $('cookies-error').textContent = e.message;
  }
  forget.disabled = false;
  await renderCookies().catch((e) => { $('cookies-error').textContent = e.message; });
});
$('grant-permissions').addEventListener('click', () => {
  // Called straight from the click (no await before it): Firefox requires a user action.
  api.permissions.request({ origins: ['<all_urls>'] }).then(renderPermissions, renderPermissions);
});
$('open-options').addEventListener('click', () => {
  api.runtime.openOptionsPage();
  // The real popup closes; the popup opened as a page for a tab (`?tabId=`) stays.
  if (!('tabId' in target())) window.close();
});
$('dismiss').addEventListener('click', async () => {
  await send('dismissProblems');
  await render();
});
renderPermissions();
renderAll()
  .then(() => document.body.setAttribute('data-ready', '1'))
  .catch((e) => {
    $('site').textContent = e.message;
    document.body.setAttribute('data-ready', 'error');
  });
