// The options page: global switches and lists. Presentation only; the core validates every input.
import { localize, send, t, el } from '../shared/ui.js';

const $ = (id) => document.getElementById(id);

function siteRow(site, onRemove) {
  return el('li', {}, el('span', { class: 'site-name' }, site),
    el('button', { type: 'button', 'aria-label': t('removeSite', site), onclick: onRemove }, t('remove')));
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
  const state = await send('getState', { url: '' });
  $('version').textContent = state.version;
  $('signals-enabled').checked = settings.signals.enabled;
  const list = settings.signals.exceptions;
  $('exception-empty').hidden = list.length > 0;
  $('exception-list').replaceChildren(
    ...list.map((site) =>
      el('li', {}, el('span', { class: 'site-name' }, site),
        el('button', {
          type: 'button',
          'aria-label': t('removeSite', site),
          onclick: async () => {
            await send('setSignalException', { site, excepted: false });
            await render();
          },
        }, t('remove')))),
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
  const blob = new Blob([JSON.stringify({ allowlist: settings.allowlist }, null, 2)], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'crumbwall-allowed-sites.json' });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
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
render()
  .then(() => document.body.setAttribute('data-ready', '1'))
  .catch((e) => {
    $('exception-error').textContent = e.message;
    document.body.setAttribute('data-ready', 'error');
  });
