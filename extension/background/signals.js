// Do Not Track + Global Privacy Control: headers on every request, properties in every page,
// except on the sites the user excepted. The core decides; this module wires the decision into
// the browser (headers through platform.signalHeaders, properties through a MAIN-world script).

import { engine, ready } from './engine.js';
import { Crumbwall } from '../pkg/crumbwall_wasm.js';
import { signalHeaders, registerContentScript, unregisterContentScript } from './platform.js';

const PAGE_SCRIPT_ID = 'crumbwall-signals-main';
let headerList = null;

/** Registers the per-request listener (Firefox). Call synchronously at background start. */
export function installSignalListeners() {
  signalHeaders.installListener(() => {
    const c = engine();
    if (!c) return null;
    headerList ??= Crumbwall.signalHeaders();
    return { apply: (topUrl) => c.signalsApply(topUrl), headers: headerList, stripCookies: (url, topUrl) => c.stripsCookieHeaders(url, topUrl) };
  }, ready);
}

/** Brings the browser's rules and page script in line with the current settings. */
export async function applySignals() {
  const c = await ready;
  await signalHeaders.applyRules(c.signalRules());
  const settings = c.settings();
  if (settings.signals.enabled) {
    await registerContentScript({
      id: PAGE_SCRIPT_ID,
      js: ['extension/content/signals-main.js'],
      world: 'MAIN',
      excludeMatches: c.signalScriptExcludes(),
    });
  } else {
    await unregisterContentScript(PAGE_SCRIPT_ID);
  }
}

/** The signal state for a page (its URL and site, null for no site), for the popup. */
export function signalStateFor(c, settings, url, site) {
  return {
    enabled: settings.signals.enabled,
    excepted: site ? settings.signals.exceptions.includes(site) : false,
    sent: site ? c.signalsApply(url) : settings.signals.enabled,
  };
}
