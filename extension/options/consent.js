// The options page's cookie-banner section: the two global switches (decline automatically, hide
// the remaining banners) and the sites where banners are left alone (set from the popup), each
// removable. Presentation only; the background (the core) validates and stores.
import { el, send, t } from '../shared/ui.js';

const $ = (id) => document.getElementById(id);
const section = $('consent');

async function render() {
  const settings = await send('getSettings');
  const c = settings.consent;
  $('sw-consent-decline').checked = c.auto_decline;
  $('sw-consent-hide').checked = c.hide_banners;
  $('consent-exceptions').replaceChildren(
    ...c.exceptions.map((site) =>
      el(
        'li',
        { 'data-site': site },
        el('span', {}, site, ' '),
        el('button', { type: 'button', class: 'remove', onclick: () => change(() => send('setConsentException', { site, excepted: false })) }, t('consentExceptionRemove')),
      ),
    ),
  );
  $('consent-exceptions-empty').hidden = c.exceptions.length > 0;
}

async function change(action) {
  $('consent-options-error').textContent = '';
  try {
    await action();
  } catch (e) {
    $('consent-options-error').textContent = e.message;
  }
  await render();
}

if (section) {
  for (const box of section.querySelectorAll('input[data-consent-switch]')) {
    box.addEventListener('change', () => change(() => send('setSwitch', { name: box.dataset.consentSwitch, on: box.checked })));
  }
  render()
    .then(() => section.setAttribute('data-ready', '1'))
    .catch((e) => {
      $('consent-options-error').textContent = e.message;
      section.setAttribute('data-ready', 'error');
    });
}
