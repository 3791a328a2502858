// Helpers shared by the extension's pages: translation, messaging, small DOM utilities.
import { api } from '../background/platform.js';

export { api };

/** Fills every `[data-i18n]` element's text (and `[data-i18n-attr="attr:key"]` attributes). */
export function localize(root = document) {
  document.documentElement.lang = api.i18n.getUILanguage().split('-')[0] || 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const text = api.i18n.getMessage(el.dataset.i18n);
    if (text) el.textContent = text;
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      const text = api.i18n.getMessage(key);
      if (text) el.setAttribute(attr, text);
    }
  }
}

/** A translated message with substitutions. */
export function t(key, ...subs) {
  return api.i18n.getMessage(key, subs.map(String)) || key;
}

/**
 * Sends a message to the background and returns its result; throws an Error with the
 * background's message when it refused.
 */
export async function send(type, fields = {}) {
  const response = await api.runtime.sendMessage({ type, ...fields });
  if (!response || response.error) throw new Error(response?.error ?? 'no answer from the background');
  return response.result;
}

/** Creates an element with properties and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

/** Purpose and category names that appear inside cookie reasons, translated as words. */
const WHY_WORDS = new Set(['advertising', 'statistical', 'social', 'consent', 'technical', 'personalization', 'unknown']);

/**
 * A cookie's reason in the user's language, from the core's `why` (a key and the values put
 * in); the core's English `reason` when there is no translation.
 */
export function reasonText(c) {
  const w = c.why;
  if (!w?.key) return c.reason ?? '';
  const args = (w.args ?? []).map((a) => (WHY_WORDS.has(a) ? api.i18n.getMessage(`whyWord_${a}`) || a : a));
  const text = api.i18n.getMessage(`why_${w.key.replaceAll('-', '_')}`, args);
  if (!text) return c.reason ?? '';
  return w.owner ? `${text} (${w.owner})` : text;
}
