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
