// The options page: global switches and lists. Presentation only; the core validates every input.
import { localize, send, t, el } from '../shared/ui.js';

const $ = (id) => document.getElementById(id);

async function render() {
  const settings = await send('getSettings');
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
