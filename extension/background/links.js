// Tracked links: tracking parameters removed from navigations, click-tracking redirectors
// skipped. The core decides (crates/core/src/links); Firefox rewrites in the blocking listener
// (platform.js), Chromium with dynamic redirect rules whose redirector URLs go to the skip page.

import { ready } from './engine.js';
import { api, links } from './platform.js';
import { handle } from './messages.js';

/** The extension page Chromium's redirector rules send a redirector URL to (in the fragment). */
export const SKIP_PAGE = 'extension/pages/skip.html';

/** Brings the browser's link rules in line with the settings (Chromium; Firefox asks per request). */
export async function applyLinks() {
  const c = await ready;
  await links.applyRules(c.linkRules(api.runtime.getURL(SKIP_PAGE)));
}

/**
 * Registers the skip page's question: where does this redirector URL go? `expect(tabId, to)`
 * tells the tab report that the next navigation is a cleaned link.
 */
export function installLinkHandlers(expect) {
  handle('skipRedirector', { url: 'string' }, async (m, sender) => {
    const c = await ready;
    const to = c.skipRedirector(m.url) ?? null;
    if (to && typeof sender.tab?.id === 'number') expect(sender.tab.id, to);
    return { to };
  });
}
