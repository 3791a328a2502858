// The popup's cookie-banner part (`<section id="consent">`): whether the page had a consent
// banner and from which platform, what Crumbwall did (declined / hidden / none / given up), and
// the per-site switch. Presentation only; the background (the core) decides. Renders on its own,
// beside popup.js; sets `data-ready` on its section when done.
import { api, el, send, t } from '../shared/ui.js';

const section = document.getElementById('consent');

function tabId() {
  const q = new URLSearchParams(location.search);
  const id = Number.parseInt(q.get('tabId') ?? '', 10);
  return Number.isInteger(id) ? Promise.resolve(id) : api.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab?.id ?? -1);
}

/** Product names for autoconsent's rule names that differ from them (the rest show as named). */
const PLATFORM_NAMES = {
  Cybotcookiebot: 'Cookiebot',
  Onetrust: 'OneTrust',
  'onetrust-stackoverflow': 'OneTrust',
  Didomi: 'Didomi',
  Sourcepoint: 'Sourcepoint',
  'Sourcepoint-frame': 'Sourcepoint',
  quantcast: 'Quantcast Choice',
  'com_quantcast2': 'Quantcast Choice',
  TrustArc: 'TrustArc',
  'TrustArc-top': 'TrustArc',
  'TrustArc-frame': 'TrustArc',
  Usercentrics: 'Usercentrics',
  'usercentrics-api': 'Usercentrics',
  'usercentrics-button': 'Usercentrics',
  Complianz: 'Complianz',
  'consentmanager.net': 'consentmanager',
  iubenda: 'iubenda',
  Termly: 'Termly',
  Klaro: 'Klaro',
  Osano: 'Osano',
  CookieYes: 'CookieYes',
  Borlabs: 'Borlabs Cookie',
  Evidon: 'Evidon',
  Axeptio: 'Axeptio',
  tarteaucitron: 'tarteaucitron',
};

/** What happened, as [state key, text]. */
function outcome(s) {
  if (s.policy.allowlisted) return ['off', t('consentOffAllowlisted')];
  if (s.policy.excepted) return ['off', t('consentOffSite')];
  if (!s.policy.autoDecline && !s.policy.hideBanners) return ['off', t('consentOffGlobal')];
  if (s.status === 'gave-up') return ['gave-up', t('consentGaveUp', s.attempts)];
  if (s.status === 'declined') return ['declined', s.selfTest === false ? t('consentDeclinedUnverified') : t('consentDeclined')];
  if (s.status === 'hidden-by-rule' || s.hidden.length > 0) return ['hidden', t('consentHidden')];
  if (s.status === 'found' || s.status === 'declining') return ['working', t('consentWorking')];
  if (s.status === 'failed') return ['failed', t('consentFailed')];
  return ['none', t('consentNone')];
}

async function render() {
  const id = await tabId();
  const s = await send('getConsentState', { tabId: id });
  if (!s.site) {
    section.hidden = true;
    return;
  }
  const [key, text] = outcome(s);
  const platform = s.cmp ? PLATFORM_NAMES[s.cmp] ?? s.cmp : s.hidden.length > 0 ? t('consentUnknownPlatform') : null;
  const toggle = el('input', { type: 'checkbox', id: 'consent-site', checked: !s.policy.excepted, disabled: s.policy.allowlisted });
  const error = el('p', { id: 'consent-error', class: 'error', role: 'alert' });
  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    try {
      await send('setConsentException', { site: s.site, excepted: !toggle.checked });
      await render();
    } catch (e) {
      error.textContent = e.message;
      toggle.disabled = false;
    }
  });
  section.replaceChildren(
    el('h2', { id: 'consent-heading' }, t('consentHeading')),
    el('p', { id: 'consent-banner', class: 'muted' }, platform ? t('consentFound', platform) : t('consentNotFound')),
    el('p', { id: 'consent-state', class: 'state', role: 'status', 'data-state': key }, text),
    el('label', { class: 'switch' }, toggle, el('span', {}, t('consentOnThisSite'))),
    el('p', { class: 'muted' }, t('consentReload')),
    error,
  );
  section.dataset.state = key;
  section.dataset.cmp = s.cmp ?? '';
  section.hidden = false;
}

if (section) {
  section.setAttribute('aria-labelledby', 'consent-heading');
  render()
    .then(() => section.setAttribute('data-ready', '1'))
    .catch((e) => {
      console.error('crumbwall: consent panel', e);
      section.setAttribute('data-ready', 'error');
    });
}
