// Shared set-up for the end-to-end suites: which browser, which build, fresh profiles, and
// loading a test-web page with everything it triggers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, launchFirefox, waitForExtensionReady, gotoAndWaitTitle, stopServiceWorkers } from './browsers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The browser under test: `CRUMBWALL_E2E_BROWSER` (chromium | firefox), set by `cargo xtask test`. */
export const BROWSER = process.env.CRUMBWALL_E2E_BROWSER ?? 'chromium';

/** The unpacked build for this browser, exactly what its zip holds (written by `cargo xtask build`). */
export const EXTENSION_DIR = path.join(ROOT, 'target', 'unpacked', BROWSER === 'firefox' ? 'firefox' : 'chrome');

if (!fs.existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
  throw new Error(`${EXTENSION_DIR} is missing: run \`cargo xtask build\` first`);
}

/** A fresh temporary directory for a browser profile. */
export function freshProfile(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-${BROWSER}-${label}-`));
}

/**
 * Launches the browser under test. With `extension: false` it is a control run (no extension).
 * `hosts`: extra host names (beyond the test web's) that resolve to the test web.
 * `secure`: `h.url()` gives the test web's https origins (start it with `startTestWeb({https:
 * true})`) and the browser ignores certificate errors (its certificate is self-signed). Over
 * https trackers set `SameSite=None; Secure` cookies.
 * `thirdPartyCookies`: Chromium allows third-party cookies (its default blocks them; it then
 * stores and sends those that are `SameSite=None; Secure`, so use with `secure`). Firefox's
 * default already keeps them, partitioned per top-level site.
 * `firefoxPrefs`: extra Firefox preferences (ignored in Chromium).
 * Waits until the extension's background reports ready (storage.session `ready`).
 */
export async function launch(web, { profileDir, extension = true, extensionDir = EXTENSION_DIR, hosts = [], secure = false, thirdPartyCookies = false, firefoxPrefs = null } = {}) {
  if (secure && !web.httpsPort) throw new Error('launch({secure: true}) needs startTestWeb({https: true})');
  const opts = {
    extensionDir: extension ? extensionDir : null,
    profileDir,
    port: secure ? web.httpsPort : web.port,
    scheme: secure ? 'https' : 'http',
    hosts,
    executablePath: process.env.CRUMBWALL_BROWSER_PATH || undefined,
    ...(secure ? (BROWSER === 'firefox' ? { acceptInsecureCerts: true } : { extraArgs: ['--ignore-certificate-errors'] }) : {}),
    ...(thirdPartyCookies && BROWSER !== 'firefox' ? { thirdPartyCookies: true } : {}),
    ...(firefoxPrefs && BROWSER === 'firefox' ? { prefs: firefoxPrefs } : {}),
  };
  const h = BROWSER === 'firefox' ? await launchFirefox(opts) : await launchChromium(opts);
  if (extension) {
    try {
      await waitForExtensionReady(h, { key: 'ready', area: 'session', timeout: 20000 });
      const { startupMs } = await h.evalBackground(async () => (globalThis.browser ?? globalThis.chrome).storage.session.get('startupMs'));
      h.startupMs = startupMs;
      console.log(`# ${BROWSER}: background start to ready ${startupMs} ms`);
    } catch (e) {
      // The caller never gets the handle, so close the browser here: a browser left running
      // keeps the test process (and the whole suite) from ever finishing.
      await h.close().catch(() => {});
      throw e;
    }
  }
  return h;
}

/**
 * Opens `url` in a new tab, waits for the page's `ready` title and for the probes of the frames
 * named in `probes`. Returns the page.
 */
export async function visit(h, web, host, pathname = '/', { probes = ['top', 'same', 'social'] } = {}) {
  const since = Date.now();
  const page = await h.newPage();
  await gotoAndWaitTitle(page, h.url(host, pathname));
  const probe = (f) => (e) => e.t >= since && e.path === '/__probe' && new URLSearchParams(e.query).get('frame') === f;
  await Promise.all(probes.map((f) => web.waitFor(probe(f), { timeout: 5000 }).catch(() => null)));
  return page;
}

/** The id of the tab showing `host` (for the popup's `?tabId=`). */
export async function tabIdFor(h, host) {
  return h.evalBackground(async (pattern) => {
    const api = globalThis.browser ?? globalThis.chrome;
    const tabs = await api.tabs.query({ url: pattern });
    return tabs.length ? tabs[tabs.length - 1].id : null;
  }, `*://${host}/*`);
}

/** Opens the popup as a page for the tab showing `host`, and waits until it has rendered. */
export async function openPopup(h, host) {
  const tabId = await tabIdFor(h, host);
  const page = await h.openExtensionPage(`extension/popup/popup.html?tabId=${tabId}`);
  await page.setViewport({ width: 360, height: 480 });
  await page.waitForSelector('body[data-ready]', { timeout: 10000 });
  return page;
}

/** Opens the options page and waits until it has rendered. */
export async function openOptions(h) {
  const page = await h.openExtensionPage('extension/options/options.html');
  await page.waitForSelector('body[data-ready]', { timeout: 10000 });
  return page;
}

/** Polls `fn` until it returns truthy (or throws after `timeout`). */
export async function eventually(fn, { timeout = 5000, interval = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Sends one message to the background from an extension page, as the popup and options do.
 * Throws with the background's error message.
 */
export async function message(h, msg) {
  const page = await h.openExtensionPage('extension/options/options.html');
  try {
    await page.waitForSelector('body[data-ready]', { timeout: 10000 });
    const res = await page.evaluate((m) => (globalThis.browser ?? globalThis.chrome).runtime.sendMessage(m), msg);
    if (!res || res.error) throw new Error(res?.error ?? 'no answer');
    return res.result;
  } finally {
    await page.close();
  }
}

/** Turns every blocking category off, so third-party requests reach the test web. */
export async function blockingOff(h) {
  for (const category of ['advertising', 'statistical', 'social']) {
    await message(h, { type: 'setCategory', category, on: false });
  }
}

/**
 * Chromium: stops the extension's service worker (as the browser does when it is idle), after
 * leaving a marker (`globalThis.__beforeStop`) in its memory, so a test can tell a restarted
 * worker from the old one.
 */
export async function stopChromiumWorker(h) {
  await h.evalBackground(() => { globalThis.__beforeStop = true; });
  await stopServiceWorkers(h.browser);
}

/**
 * Chromium: lets the worker the browser restarted for an event run. Puppeteer attaches to new
 * targets with waitForDebuggerOnStart, so a restarted worker waits for a debugger to resume it
 * (an artefact of the harness; without DevTools the browser just runs it).
 */
export async function resumeChromiumWorker(h) {
  const isOurs = (t) => t.type() === 'service_worker' && t.url().startsWith(h.extensionOrigin);
  const target = await h.browser.waitForTarget(isOurs, { timeout: 10000 });
  const session = await target.createCDPSession();
  await session.send('Runtime.runIfWaitingForDebugger').catch(() => {});
}
