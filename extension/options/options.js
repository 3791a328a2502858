// The options page: global switches and lists. Presentation only; the core validates every input.
import { api, localize, send, t, el } from '../shared/ui.js';

const $ = (id) => document.getElementById(id);

function siteRow(site, onRemove) {
  return el('li', {}, el('span', { class: 'site-name' }, site),
    el('button', { type: 'button', 'aria-label': t('removeSite', site), onclick: onRemove }, t('remove')));
}

/** Offers `text` as a file download. */
function download(text, name) {
  const blob = new Blob([text], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** `crumbwall-settings-2025-11-29.json` */
function datedName(prefix) {
  return `${prefix}-${new Date().toISOString().slice(0, 10)}.json`;
}

async function render() {
  const settings = await send('getSettings');
  for (const box of document.querySelectorAll('#protection input[data-category]')) {
    box.checked = settings.blocking[box.dataset.category];
  }
  for (const box of document.querySelectorAll('input[data-switch]')) {
    const [section, key] = box.dataset.switch.split('.');
    box.checked = settings[section][key];
  }
  for (const select of document.querySelectorAll('select[data-purpose]')) {
    select.value = settings.cookies[select.dataset.purpose];
  }
  const query = $('allow-search').value.trim().toLowerCase();
  const allowed = settings.allowlist.filter((s) => s.includes(query));
  $('allow-empty').hidden = settings.allowlist.length > 0;
  $('allow-list').replaceChildren(
    ...allowed.map((site) => siteRow(site, async () => {
      await send('setProtection', { site, on: true });
      await render();
    })),
  );
  $('signals-enabled').checked = settings.signals.enabled;
  const list = settings.signals.exceptions;
  $('exception-empty').hidden = list.length > 0;
  $('exception-list').replaceChildren(
    ...list.map((site) => siteRow(site, async () => {
      await send('setSignalException', { site, excepted: false });
      await render();
    })),
  );
}

/** Filter lists shipped with this build (`extension/rules/lists.json`, written by the build). */
async function renderLists() {
  const response = await fetch(api.runtime.getURL('extension/rules/lists.json'));
  if (!response.ok) throw new Error(`lists.json: HTTP ${response.status}`);
  const lists = await response.json();
  const rows = lists
    .filter((l) => ['advertising', 'statistical', 'social'].includes(l.category) || l.included)
    .map((l) => el('tr', { 'data-list': l.id, 'data-included': String(l.included) },
      el('th', { scope: 'row' }, el('a', { href: l.homepage, target: '_blank', rel: 'noopener noreferrer' }, l.name)),
      el('td', {}, t(`cat_${l.category}`)),
      el('td', { class: 'num' }, l.included ? l.filters.toLocaleString(api.i18n.getUILanguage()) : '—'),
      el('td', {}, l.included ? formatVersion(l.version) : t('listNotIncluded'))));
  rows.push(el('tr', { 'data-list': 'starter', 'data-included': 'true' },
    el('th', { scope: 'row' }, t('listStarter')),
    el('td', {}, t('listStarterCategories')),
    el('td', { class: 'num' }, '—'),
    el('td', {}, t('listBuiltIn'))));
  $('list-rows').replaceChildren(...rows);
}

/** A list's version as a date when it is one (`202511291230`, `29 Nov 2025 12:30 UTC`). */
function formatVersion(v) {
  if (!v) return t('listNoVersion');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?$/.exec(v);
  const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0))) : new Date(v);
  if (Number.isNaN(date.getTime())) return v;
  return date.toLocaleDateString(api.i18n.getUILanguage(), { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Why a filter line cannot be used, in the user's language (the core's English text otherwise). */
function filterError(e) {
  const text = e.code ? api.i18n.getMessage(`filterError_${e.code.replaceAll('-', '_')}`) : '';
  return text || e.message;
}

/** Custom filters: the text, what the core made of it, and each rejected line with the reason. */
function showCustom(r, { keepText = false } = {}) {
  if (!keepText) $('custom-text').value = r.text;
  $('custom-status').textContent = r.limit ? t('customStatus', r.rules, r.limit) : t('customStatusNoLimit', r.rules);
  $('custom-errors').replaceChildren(
    ...r.errors.map((e) => el('li', { 'data-line': String(e.line), 'data-code': e.code ?? '' }, el('b', {}, t('customLine', e.line)), ' ', filterError(e))),
  );
  $('custom-errors').hidden = r.errors.length === 0;
}

async function renderCustom() {
  $('custom-error').textContent = '';
  try {
    showCustom(await send('getCustomFilters'));
  } catch (e) {
    $('custom-error').textContent = `${t('customUnavailable')} ${e.message}`;
    $('custom-errors').hidden = true;
  }
}

/** Shows why a settings file was refused: each problem the core found. */
function showSettingsError(message) {
  const problems = message.split('\n').filter(Boolean);
  $('settings-error').replaceChildren(
    el('p', {}, t('settingsImportFailed')),
    el('ul', {}, ...problems.map((p) => el('li', {}, p))),
  );
}

localize();
for (const box of document.querySelectorAll('#protection input[data-category]')) {
  box.addEventListener('change', async () => {
    await send('setCategory', { category: box.dataset.category, on: box.checked });
    await render();
  });
}
for (const select of document.querySelectorAll('select[data-purpose]')) {
  select.addEventListener('change', async () => {
    $('cookie-error').textContent = '';
    try {
      await send('setCookieRule', { purpose: select.dataset.purpose, rule: select.value });
    } catch (e) {
      $('cookie-error').textContent = e.message;
    }
    await render();
  });
}
for (const box of document.querySelectorAll('input[data-switch]')) {
  box.addEventListener('change', async () => {
    await send('setSwitch', { name: box.dataset.switch, on: box.checked });
    await render();
  });
}
$('allow-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('allow-input');
  $('allow-error').textContent = '';
  try {
    await send('setProtection', { site: input.value, on: false });
    input.value = '';
  } catch (err) {
    $('allow-error').textContent = err.message;
  }
  await render();
});
$('allow-search').addEventListener('input', () => render());
$('allow-export').addEventListener('click', async () => {
  const settings = await send('getSettings');
  download(JSON.stringify({ allowlist: settings.allowlist }, null, 2), 'crumbwall-allowed-sites.json');
});
$('allow-import').addEventListener('change', async (e) => {
  const file = e.target.files?.[0];
  if (!file) return;
  $('allow-error').textContent = '';
  $('allow-status').textContent = '';
  try {
    const n = await send('importAllowlist', { text: await file.text() });
    $('allow-status').textContent = t('importedSites', n);
  } catch (err) {
    $('allow-error').textContent = `${t('importFailed')} ${err.message}`;
  }
  e.target.value = '';
  await render();
});
$('signals-enabled').addEventListener('change', async (e) => {
  await send('setSignalsEnabled', { on: e.target.checked });
  await render();
});
$('exception-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('exception-input');
  $('exception-error').textContent = '';
  try {
    await send('setSignalException', { site: input.value, excepted: true });
    input.value = '';
  } catch (err) {
    $('exception-error').textContent = err.message;
  }
  await render();
});
$('custom-save').addEventListener('click', async () => {
  const button = $('custom-save');
  $('custom-error').textContent = '';
  button.disabled = true;
  try {
    showCustom(await send('setCustomFilters', { text: $('custom-text').value }), { keepText: true });
  } catch (err) {
    $('custom-error').textContent = `${t('customSaveFailed')} ${err.message}`;
  }
  button.disabled = false;
});
$('settings-export').addEventListener('click', async () => {
  $('settings-error').replaceChildren();
  try {
    const text = await send('exportSettings');
    download(`${JSON.stringify(JSON.parse(text), null, 2)}\n`, datedName('crumbwall-settings'));
  } catch (err) {
    $('settings-error').textContent = err.message;
  }
});
$('settings-import').addEventListener('change', async (e) => {
  const file = e.target.files?.[0];
  if (!file) return;
  $('settings-error').replaceChildren();
  $('settings-status').textContent = '';
  try {
    await send('importSettings', { text: await file.text() });
    $('settings-status').textContent = t('settingsImported', file.name);
  } catch (err) {
    showSettingsError(err.message);
  }
  e.target.value = '';
  await Promise.all([render(), renderCustom()]);
});

Promise.all([
  render(),
  send('getState', { url: '' }).then((s) => { $('version').textContent = s.version; }),
  renderLists().catch((e) => { $('lists-error').textContent = e.message; }),
  renderCustom(),
])
  .then(() => document.body.setAttribute('data-ready', '1'))
  .catch((e) => {
    $('exception-error').textContent = e.message;
    document.body.setAttribute('data-ready', 'error');
  });
