// Whether a site declares that it honours Global Privacy Control: its `/.well-known/gpc.json`
// (https://privacycg.github.io/gpc-spec/#gpc-support-resource), for the popup.
//
// Asked only when the popup shows the site, fetched from the background without cookies or
// referrer, at most once per site per day: every answer (a failure too) is cached in
// storage.local under `gpcSites` for a day, and concurrent asks share one request.

import { api } from './platform.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const KEY = 'gpcSites';
const MAX_SITES = 500;
const MAX_BYTES = 16 * 1024;
const TIMEOUT_MS = 5000;

/** @type {Map<string, Promise<object>>} site -> the check in flight */
const inflight = new Map();

/**
 * Reads a fetched resource. `declared`: true or false as the file says, `null` when there is no
 * usable file. `status`: 'honoured' | 'not-honoured' | 'none' (no file, 404...) | 'invalid'
 * (a file that is not the expected JSON) | 'unreachable' (network error, timeout).
 */
async function check(origin) {
  const url = new URL('/.well-known/gpc.json', origin).href;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const r = await fetch(url, {
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'follow',
      referrerPolicy: 'no-referrer',
      signal: abort.signal,
    });
    if (!r.ok) return { status: 'none', http: r.status };
    const text = await r.text();
    if (text.length > MAX_BYTES) return { status: 'invalid' };
    let doc;
    try {
      doc = JSON.parse(text);
    } catch {
      return { status: 'invalid' };
    }
    if (!doc || typeof doc !== 'object' || typeof doc.gpc !== 'boolean') return { status: 'invalid' };
    const lastUpdate = typeof doc.lastUpdate === 'string' ? doc.lastUpdate.slice(0, 40) : null;
    return { status: doc.gpc ? 'honoured' : 'not-honoured', lastUpdate };
  } catch {
    return { status: 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The GPC declaration of `site`, checked at the origin of `pageUrl` (an http(s) page of the
 * site). Returns `{site, status, lastUpdate?, checkedAt, cached}`.
 * @param {string} site registrable domain
 * @param {string} pageUrl
 */
export async function gpcStatus(site, pageUrl) {
  const origin = new URL(pageUrl).origin;
  if (!/^https?:/.test(origin)) throw new Error('not a web page');
  const { [KEY]: cache = {} } = await api.storage.local.get(KEY);
  const hit = cache[site];
  if (hit && Date.now() - hit.checkedAt < DAY_MS && hit.checkedAt <= Date.now()) return { site, ...hit, cached: true };
  if (!inflight.has(site)) {
    const run = check(origin)
      .then(async (result) => {
        const entry = { ...result, checkedAt: Date.now() };
        const { [KEY]: now = {} } = await api.storage.local.get(KEY);
        // Forget day-old answers; keep at most MAX_SITES (the newest).
        const fresh = Object.entries(now).filter(([k, e]) => k !== site && Date.now() - e.checkedAt < DAY_MS);
        fresh.push([site, entry]);
        fresh.sort((a, b) => b[1].checkedAt - a[1].checkedAt);
        await api.storage.local.set({ [KEY]: Object.fromEntries(fresh.slice(0, MAX_SITES)) });
        return { site, ...entry, cached: false };
      })
      .finally(() => inflight.delete(site));
    inflight.set(site, run);
  }
  return inflight.get(site);
}
