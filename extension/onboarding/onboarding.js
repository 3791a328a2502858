// The first-run page: the cookie purposes and what the defaults do, in plain words. The default
// rule shown for each purpose is read from the settings (the core's defaults), not written here.
import { api, localize, send, t } from '../shared/ui.js';

const $ = (id) => document.getElementById(id);

async function render() {
  const settings = await send('getSettings');
  for (const li of document.querySelectorAll('#purposes li[data-purpose]')) {
    const rule = settings.cookies[li.dataset.purpose];
    li.querySelector('.rule').textContent = t(`rule_${rule.replaceAll('-', '_')}`);
    li.dataset.rule = rule;
  }
}

/** Firefox: access to websites can be withheld or revoked; offer to grant it. */
async function renderPermissions() {
  let granted = true;
  try {
    granted = await api.permissions.contains({ origins: ['<all_urls>'] });
  } catch {
    // Not supported: nothing to say.
  }
  $('permissions').hidden = granted;
}

localize();
$('grant-permissions').addEventListener('click', () => {
  // Straight from the click: Firefox requires a user action for the request.
  api.permissions.request({ origins: ['<all_urls>'] }).then(renderPermissions, renderPermissions);
});
$('open-options').addEventListener('click', () => api.runtime.openOptionsPage());
$('done').addEventListener('click', () => window.close());
Promise.all([render(), renderPermissions()])
  .then(() => document.body.setAttribute('data-ready', '1'))
  .catch(() => document.body.setAttribute('data-ready', 'error'));
