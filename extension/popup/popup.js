// The popup: what Crumbwall does on the current site, and the controls to change it.
// Presentation only; every decision comes from the background (the core).
import { el, localize, send, t } from '../shared/ui.js';
import { api } from '../background/platform.js';

const $ = (id) => document.getElementById(id);

/** The tab to show: `?tabId=N` (tests, or the popup opened as a page), else the active tab. */
function target() {
  const q = new URLSearchParams(location.search);
  const tabId = Number.parseInt(q.get('tabId') ?? '', 10);
  return Number.isInteger(tabId) ? { tabId } : {};
}

async function render() {
  const state = await send('getState', target());
  const problems = state.settingsProblems?.problems ?? [];
  $('problems').hidden = problems.length === 0;
  $('problem-list').replaceChildren(...problems.map((p) => Object.assign(document.createElement('li'), { textContent: p })));

  $('site').textContent = state.site ?? t('popupNoSite');
  const supported = Boolean(state.site);
  $('unsupported').hidden = supported;
  $('signals').hidden = !supported;
  $('protection').hidden = !supported;
  if (!supported) return;

  const p = state.protection;
  const sw = $('protection-site');
  sw.checked = p.on;
  sw.setAttribute('aria-checked', String(p.on));
  const anyCategory = Object.values(p.categories).some(Boolean);
  $('protection-state').textContent = !p.on ? t('protectionOffText') : anyCategory ? t('protectionOnText') : t('protectionNoCategories');
  sw.onchange = async () => {
    $('protection-error').textContent = '';
    try {
      await send('setProtection', { site: state.site, on: sw.checked });
    } catch (e) {
      $('protection-error').textContent = e.message;
    }
    await render();
  };
  const report = state.tab;
  $('blocked-total').textContent = String(report.blocked);
  for (const li of document.querySelectorAll('#counts li')) {
    const cat = li.dataset.category;
    li.querySelector('b').textContent = String(report.counts[cat] ?? 0);
    if (cat in p.categories) li.classList.toggle('off', !p.categories[cat]);
  }
  $('trackers-count').textContent = String(report.hosts.length);
  $('hosts').replaceChildren(
    ...report.hosts.map((h) => {
      const tr = document.createElement('tr');
      const category = h.category ? t(`cat_${h.category}`) : '—';
      const cells = [h.host, h.pixel ? `${category} · ${t('countPixels')}` : category, t(`action_${h.action.replaceAll('-', '_')}`)];
      for (const text of cells) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
      tr.lastChild.className = `action-${h.action}`;
      tr.dataset.host = h.host;
      tr.dataset.action = h.action;
      if (h.pixel) tr.dataset.pixel = '1';
      return tr;
    }),
  );

  await renderCookies(state.site);

  const s = state.signals;
  const stateEl = $('signals-state');
  stateEl.className = `state ${s.sent ? 'on' : 'off'}`;
  stateEl.textContent = !s.enabled ? t('signalsOffGlobally') : s.excepted ? t('signalsExcepted') : t('signalsSent');
  const box = $('signals-site');
  box.checked = s.sent;
  box.disabled = !s.enabled;
  box.onchange = async () => {
    $('signals-error').textContent = '';
    try {
      await send('setSignalException', { site: state.site, excepted: !box.checked });
    } catch (e) {
      $('signals-error').textContent = e.message;
    }
    await render();
  };
}

const PURPOSES = ['technical', 'personalization', 'statistical', 'advertising', 'social', 'unknown'];

/** The Cookies panel: each cookie of the page under its purpose, with what the policy did. */
async function renderCookies(site) {
  $('cookies').hidden = false;
  const { cookies, counts } = await send('getCookies', target());
  $('cookies-count').textContent = String(cookies.length);
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
  const forget = $('forget-site');
  forget.onclick = async () => {
    $('cookies-error').textContent = '';
    forget.disabled = true;
    try {
      const r = await send('forgetSite', { site });
      const kinds = r.storage.map((k) => t(`storage_${k}`)).join(', ');
      $('forget-result').textContent = t('forgotSite', r.site, r.cookies, kinds);
    } catch (e) {
      $('cookies-error').textContent = e.message;
    }
    forget.disabled = false;
    await renderCookies(site);
  };
}

function cookieRow(c) {
  const li = el(
    'li',
    { class: 'cookie', 'data-name': c.name, 'data-domain': c.domain, 'data-purpose': c.purpose, 'data-action': c.action, 'data-third-party': String(c.thirdParty) },
    el('span', { class: 'name' }, c.name || '""'),
    el('span', { class: 'meta' }, `${c.domain}${c.thirdParty ? ` · ${t('thirdParty')}` : ''} · ${t(`cookieAction_${c.action}`)}`),
    el('span', { class: 'reason', title: `${Math.round(c.confidence * 100)} %` }, c.reason),
  );
  if (c.id && c.action !== 'deleted') {
    li.append(
      el('button', {
        type: 'button',
        class: 'delete-cookie',
        textContent: t('deleteCookie'),
        'aria-label': `${t('deleteCookie')} ${c.name}`,
        onclick: async () => {
          try {
            await send('deleteCookie', { id: c.id });
          } catch (e) {
            $('cookies-error').textContent = e.message;
          }
          await renderCookies($('site').textContent);
        },
      }),
    );
  }
  return li;
}

localize();
$('open-options').addEventListener('click', () => api.runtime.openOptionsPage());
$('dismiss').addEventListener('click', async () => {
  await send('dismissProblems');
  await render();
});
render()
  .then(() => document.body.setAttribute('data-ready', '1'))
  .catch((e) => {
    $('site').textContent = e.message;
    document.body.setAttribute('data-ready', 'error');
  });
