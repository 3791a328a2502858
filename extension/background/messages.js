// Messages from the extension's own pages (popup, options, onboarding). Every message is checked:
// the sender must be this extension's own page (never a content script or a web page), and the
// message must have a known `type` with fields of the right type.

import { api } from './platform.js';

/** Longest text field accepted (the core refuses settings documents over 4 MiB itself). */
const MAX_TEXT = 4 * 1024 * 1024;

/** @type {Map<string, {check: (m: object) => string | null, run: (m: object, sender: object) => Promise<unknown>}>} */
const handlers = new Map();

/**
 * Registers a handler. `fields` maps field name to 'string' | 'boolean' | 'number' | 'string?'.
 */
export function handle(type, fields, run) {
  const check = (m) => {
    for (const [name, kind] of Object.entries(fields)) {
      const optional = kind.endsWith('?');
      const base = optional ? kind.slice(0, -1) : kind;
      const v = m[name];
      if (v === undefined && optional) continue;
      if (typeof v !== base) return `field \`${name}\` must be a ${base}`;
      if (base === 'string' && v.length > MAX_TEXT) return `field \`${name}\` is too long`;
    }
    return null;
  };
  handlers.set(type, { check, run });
}

/** Only this extension's own pages (not content scripts, not web pages) may send commands. */
function fromOwnPage(sender) {
  return sender.id === api.runtime.id && String(sender.url ?? '').startsWith(api.runtime.getURL(''));
}

/** Installs the router. Call synchronously at background start. */
export function installMessageRouter() {
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!fromOwnPage(sender)) return false;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') {
      sendResponse({ error: 'malformed message' });
      return false;
    }
    const h = handlers.get(message.type);
    if (!h) {
      sendResponse({ error: `unknown message type ${message.type}` });
      return false;
    }
    const problem = h.check(message);
    if (problem) {
      sendResponse({ error: problem });
      return false;
    }
    h.run(message, sender).then(
      (result) => sendResponse({ ok: true, result }),
      (e) => sendResponse({ error: String(e?.message ?? e) }),
    );
    return true;
  });
}
