// Launch real headless browsers (Chromium via CDP, Firefox ESR via WebDriver BiDi), both driven
// by puppeteer-core 24, with an unpacked Crumbwall build loaded, against the local test web
// (tests/web/server.mjs). See /work/shared/notes/BROWSER-TESTING.md for the facts this relies on.
//
// Both launchers return the same kind of handle:
//   { browser, kind, extensionId, extensionOrigin, profileDir, port, launchMs,
//     newPage(), url(host, path), openExtensionPage(path), evalBackground(fn, ...args),
//     screenshot(page, file), close() }
//
// How an extension is loaded:
// - Chromium: `--load-extension=DIR --disable-extensions-except=DIR` with puppeteer's
//   `enableExtensions: true` (which only swaps puppeteer's default `--disable-extensions` for
//   `--enable-unsafe-extension-debugging`). The profile is a given --user-data-dir, so closing
//   and relaunching with the same dir keeps chrome.storage, cookies, DNR dynamic rules.
// - Firefox: a real (non-temporary) install of an unsigned .xpi copied to
//   `<profile>/extensions/<geckoId>.xpi` before launch (xpinstall.signatures.required=false,
//   extensions.autoDisableScopes=0, extensions.enabledScopes=15). It survives a restart with the
//   same profile, storage.local included. The lib builds the .xpi itself (a zip of the dir) and
//   adds one extra file, `_crumbwall_test/blank.html`, an empty extension page used to run
//   code with the browser.* API (evalBackground) — Firefox has no way to evaluate inside the
//   background context over WebDriver BiDi.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { TEST_HOSTS } from '../../web/server.mjs';

const LIB_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Where screenshots and other artifacts go (git-ignored). */
export const ARTIFACTS_DIR = path.resolve(LIB_DIR, '../../artifacts');

/** Extension page injected into the Firefox .xpi for evalBackground. */
export const FIREFOX_TEST_PAGE = '_crumbwall_test/blank.html';
const TEST_PAGE_HTML = '<!doctype html><html><head><meta charset="utf-8"><title>crumbwall test page</title></head><body></body></html>\n';

const CHROMIUM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];
const FIREFOX_CANDIDATES = ['/usr/lib/firefox-esr/firefox-esr', '/usr/bin/firefox-esr'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function findExecutable(explicit, candidates, what, pkg) {
  const list = explicit ? [explicit] : candidates;
  for (const p of list) {
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  throw new Error(`${what} not found (looked at ${list.join(', ')}). Install it: apt-get update && apt-get install -y ${pkg}`);
}

async function withTimeout(promise, ms, message) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(message)), ms); })]);
  } finally { clearTimeout(timer); }
}

/** Host list for DNS mapping: the test web's hosts plus extra ones, deduplicated. */
function allHosts(hosts = []) {
  return [...new Set([...TEST_HOSTS, ...hosts])];
}

async function readManifest(dir) {
  return JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// ZIP (for .xpi) — stored/deflated entries, deterministic bytes (fixed timestamps, sorted names)

/**
 * Lists the files of an extension directory, as zip entry names (forward slashes), skipping
 * dot-files/dirs and node_modules.
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
export async function listExtensionFiles(dir) {
  const out = [];
  async function walk(rel) {
    const entries = await fsp.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile() || e.isSymbolicLink()) out.push(r);
    }
  }
  await walk('');
  return out.sort();
}

/**
 * Builds a zip archive in memory.
 * @param {{name: string, data: Buffer}[]} entries
 * @returns {Buffer}
 */
export function makeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data) >>> 0;
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const useDeflate = deflated.length < data.length;
    const body = useDeflate ? deflated : data;
    const method = useDeflate ? 8 : 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6); // UTF-8 names
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(DOS_TIME, 10);
    lh.writeUInt16LE(DOS_DATE, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(nameBuf.length, 26);
    lh.writeUInt16LE(0, 28);
    locals.push(lh, nameBuf, body);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(DOS_TIME, 12);
    ch.writeUInt16LE(DOS_DATE, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(nameBuf.length, 28);
    ch.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // external attrs: regular file 0644
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, nameBuf);
    offset += lh.length + nameBuf.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/**
 * Reads a zip archive (stored or deflated entries, no zip64).
 * @param {Buffer} buf
 * @returns {{name: string, data: Buffer}[]}
 */
export function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const elen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const lho = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    p += 46 + nlen + elen + clen;
    const start = lho + 30 + buf.readUInt16LE(lho + 26) + buf.readUInt16LE(lho + 28);
    const raw = buf.subarray(start, start + csize);
    if (name.endsWith('/')) continue;
    if (method === 0) out.push({ name, data: Buffer.from(raw) });
    else if (method === 8) out.push({ name, data: zlib.inflateRawSync(raw) });
    else throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
  }
  return out;
}

/**
 * Builds an unsigned .xpi from an extension directory or an existing .xpi, adding the test page
 * `_crumbwall_test/blank.html` (used by evalBackground on Firefox).
 * @param {{extensionDir?: string, xpiPath?: string, addTestPage?: boolean}} src
 * @returns {Promise<Buffer>} the archive bytes (identical for identical input)
 */
export async function buildXpi({ extensionDir, xpiPath, addTestPage = true }) {
  let entries;
  if (extensionDir) {
    const names = await listExtensionFiles(extensionDir);
    entries = await Promise.all(names.map(async (name) => ({ name, data: await fsp.readFile(path.join(extensionDir, name)) })));
  } else if (xpiPath) {
    entries = readZip(await fsp.readFile(xpiPath));
  } else throw new Error('buildXpi: need extensionDir or xpiPath');
  if (!entries.some((e) => e.name === 'manifest.json')) throw new Error('extension has no manifest.json at its root');
  if (addTestPage) {
    entries = entries.filter((e) => e.name !== FIREFOX_TEST_PAGE);
    entries.push({ name: FIREFOX_TEST_PAGE, data: Buffer.from(TEST_PAGE_HTML) });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return makeZip(entries);
}

// ---------------------------------------------------------------------------------------------
// Common handle pieces

/**
 * Writes a PNG screenshot of a page. Relative paths go under tests/artifacts/.
 * @param {import('puppeteer-core').Page} page
 * @param {string} file
 * @param {object} [opts] extra puppeteer screenshot options (e.g. {fullPage: true})
 * @returns {Promise<string>} absolute path written
 */
export async function screenshot(page, file, opts = {}) {
  const out = path.isAbsolute(file) ? file : path.join(ARTIFACTS_DIR, file);
  await fsp.mkdir(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, type: 'png', ...opts });
  return out;
}

async function safeClose(browser, ms = 10000) {
  if (!browser) return;
  const proc = browser.process?.();
  try {
    await withTimeout(browser.close(), ms, 'browser.close() timed out');
  } catch {
    try { proc?.kill('SIGKILL'); } catch { /* gone */ }
  }
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    await withTimeout(new Promise((r) => proc.once('exit', r)), 5000, 'exit').catch(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } });
  }
}

// ---------------------------------------------------------------------------------------------
// Chromium

/**
 * The id Chromium gives an unpacked extension: from manifest "key" if present, else from the
 * absolute (real) path of the directory (SHA-256, first 16 bytes, hex digits mapped to a-p).
 * @param {string} extensionDir
 * @returns {Promise<string>}
 */
export async function chromiumExtensionId(extensionDir) {
  const manifest = await readManifest(extensionDir);
  const input = manifest.key ? Buffer.from(manifest.key, 'base64') : Buffer.from(await fsp.realpath(extensionDir), 'utf8');
  const hex = crypto.createHash('sha256').update(input).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode('a'.charCodeAt(0) + parseInt(c, 16))).join('');
}

/**
 * Merges prefs into `<profileDir>/Default/Preferences` (created if missing) before a launch.
 * @param {string} profileDir
 * @param {object} prefs nested objects, e.g. `{profile: {cookie_controls_mode: 0}}`
 */
export async function setChromiumPrefs(profileDir, prefs) {
  const file = path.join(profileDir, 'Default', 'Preferences');
  await fsp.mkdir(path.dirname(file), { recursive: true });
  let current = {};
  try { current = JSON.parse(await fsp.readFile(file, 'utf8')); } catch { /* new profile */ }
  const merge = (a, b) => {
    for (const [k, v] of Object.entries(b)) {
      if (v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object') merge(a[k], v);
      else a[k] = v;
    }
    return a;
  };
  await fsp.writeFile(file, JSON.stringify(merge(current, prefs)));
}

/**
 * Chromium: stops every service worker of the browser (as Chromium does to an idle worker after
 * 30 s), through a temporary page's DevTools session.
 * @param {import('puppeteer-core').Browser} browser
 */
export async function stopServiceWorkers(browser) {
  const p = await browser.newPage();
  try {
    const s = await p.createCDPSession();
    await s.send('ServiceWorker.enable');
    await s.send('ServiceWorker.stopAllWorkers');
  } finally {
    await p.close();
  }
}

/**
 * Launches headless Chromium, optionally with an unpacked extension.
 * @param {object} opts
 * @param {string|null} [opts.extensionDir] unpacked extension dir, or null/undefined for a control run
 * @param {string} opts.profileDir --user-data-dir (created if missing; reuse it to "restart")
 * @param {number} [opts.port] test web port (kept on the handle for handle.url())
 * @param {'http'|'https'} [opts.scheme='http'] scheme of handle.url() (https: pass the test web's
 *   httpsPort as `port`, and `--ignore-certificate-errors` in extraArgs for its self-signed cert)
 * @param {string[]} [opts.hosts] extra host names to map to 127.0.0.1 (all *.test already are)
 * @param {string} [opts.executablePath] default /usr/lib/chromium/chromium
 * @param {string[]} [opts.extraArgs]
 * @param {boolean} [opts.thirdPartyCookies=false] allow third-party cookies (profile pref
 *   `profile.cookie_controls_mode` = 0, written before launch). This Chromium blocks them by
 *   default (CDP blockedReasons `UserPreferences`); allowed, it stores and sends a third-party
 *   cookie only when it is `SameSite=None; Secure`, i.e. over https.
 * @param {boolean} [opts.extensionsEnabled] extension system on without an extension (a control
 *   with the same flags); default: on exactly when `extensionDir` is given
 * @param {boolean} [opts.attachWorker=true] false: puppeteer never attaches to the extension's
 *   service worker (it would hold a started worker until DevTools resumed it, which inflates
 *   start-up timings); the handle then has no evalBackground and does not wait for the worker
 * @param {number} [opts.timeout=30000] launch + extension-worker timeout (ms)
 * @returns {Promise<BrowserHandle>}
 */
export async function launchChromium({ extensionDir = null, profileDir, port, scheme = 'http', hosts = [], executablePath, extraArgs = [], thirdPartyCookies = false, extensionsEnabled, attachWorker = true, timeout = 30000 } = {}) {
  if (!profileDir) throw new Error('launchChromium: profileDir is required');
  const exe = findExecutable(executablePath, CHROMIUM_CANDIDATES, 'Chromium', 'chromium');
  const extDir = extensionDir ? await fsp.realpath(extensionDir) : null;
  if (extDir) await readManifest(extDir); // clear error if it is not an extension
  await fsp.mkdir(profileDir, { recursive: true });
  if (thirdPartyCookies) await setChromiumPrefs(profileDir, { profile: { cookie_controls_mode: 0 } });
  const rules = ['MAP *.test 127.0.0.1', ...allHosts(hosts).filter((h) => !h.endsWith('.test')).map((h) => `MAP ${h} 127.0.0.1`)];
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--no-default-browser-check',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-proxy-server', '--disable-domain-reliability', '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
    `--host-resolver-rules=${rules.join(', ')}`,
    ...(extDir ? [`--load-extension=${extDir}`, `--disable-extensions-except=${extDir}`] : []),
    ...extraArgs,
  ];
  const t0 = Date.now();
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: exe,
      headless: process.env.CRUMBWALL_HEADFUL ? false : true,
      userDataDir: profileDir,
      enableExtensions: extensionsEnabled ?? !!extDir, // drops puppeteer's default --disable-extensions
      ...(attachWorker ? {} : { targetFilter: (t) => !(t.type() === 'service_worker' && t.url().startsWith('chrome-extension://')) }),
      args,
      timeout,
      protocolTimeout: Math.max(timeout, 30000),
      defaultViewport: { width: 1280, height: 900 },
      handleSIGINT: true, handleSIGTERM: true, handleSIGHUP: true,
    });
  } catch (e) {
    throw new Error(`Chromium (${exe}) failed to launch within ${timeout} ms: ${e.message}`, { cause: e });
  }
  try {
    let extensionId = null;
    let swTarget = null;
    if (extDir) extensionId = await chromiumExtensionId(extDir);
    // Without attachWorker the worker is invisible to puppeteer: the id from the path stands.
    if (extDir && attachWorker) {
      const isOurWorker = (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`);
      swTarget = await browser.waitForTarget(isOurWorker, { timeout }).catch(() => {
        // Maybe the id differs (e.g. a "key" we could not parse): take any extension worker.
        const any = browser.targets().find((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'));
        if (any) return any;
        throw new Error(`Chromium: the extension's service worker (chrome-extension://${extensionId}/) did not start within ${timeout} ms `
          + `(manifest error, missing background.service_worker file, or a worker that throws at startup? `
          + `try: ${exe} --load-extension=${extDir} without --headless, or read chrome://extensions)`);
      });
      extensionId = new URL(swTarget.url()).host;
    }
    const launchMs = Date.now() - t0;
    // evalBackground talks to the worker over its own CDP session with Runtime.evaluate (not
    // puppeteer's WebWorker, whose session goes stale for good once the worker is stopped).
    // A worker with DevTools attached is not stopped for idleness (checked: 45 s), but one that
    // was stopped anyway (crash, chrome://serviceworker-internals, ServiceWorker.stopAllWorkers)
    // is restarted with ServiceWorker.startWorker from a temporary page session.
    let bgSession = null;
    const isOurs = (t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${extensionId}/`);
    const rawEval = async (session, expression, ms) => {
      const call = session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, userGesture: true });
      const r = ms ? await withTimeout(call, ms, 'background evaluate timed out') : await call;
      if (r.exceptionDetails) {
        const d = r.exceptionDetails;
        throw new Error(`evalBackground: ${d.exception?.description || d.text}`);
      }
      return r.result.value;
    };
    const wakeWorker = async () => {
      const p = await browser.newPage();
      try {
        const s = await p.createCDPSession();
        await s.send('ServiceWorker.enable');
        await s.send('ServiceWorker.startWorker', { scopeURL: `chrome-extension://${extensionId}/` });
        await browser.waitForTarget(isOurs, { timeout: 10000 });
      } finally { await p.close().catch(() => {}); }
    };
    const getBgSession = async () => {
      if (bgSession) {
        try { await rawEval(bgSession, '1', 2000); return bgSession; } catch { /* stale */ }
        await bgSession.detach().catch(() => {});
        bgSession = null;
        await wakeWorker();
      }
      const target = browser.targets().find(isOurs) || await browser.waitForTarget(isOurs, { timeout: 10000 });
      bgSession = await target.createCDPSession();
      // Puppeteer attaches to new targets with waitForDebuggerOnStart; a worker it caught that way
      // (seen now and then on a fresh profile under load) evaluates nothing until it is resumed.
      await bgSession.send('Runtime.runIfWaitingForDebugger').catch(() => {});
      await rawEval(bgSession, '1', 5000).catch(async () => {
        await bgSession.detach().catch(() => {});
        await wakeWorker();
        bgSession = await (browser.targets().find(isOurs)).createCDPSession();
      });
      return bgSession;
    };
    const handle = makeHandle({
      browser,
      kind: 'chromium',
      extensionId,
      extensionOrigin: extensionId ? `chrome-extension://${extensionId}` : null,
      profileDir,
      port,
      scheme,
      launchMs,
      launchedAt: t0,
      async openExtensionPage(p) {
        requireExtension(handle);
        const page = await browser.newPage();
        await page.goto(`${handle.extensionOrigin}/${p.replace(/^\//, '')}`, { waitUntil: 'load', timeout });
        return page;
      },
      async evalBackground(fn, ...a) {
        requireExtension(handle);
        if (!attachWorker) throw new Error('evalBackground: launched with attachWorker: false');
        const session = await getBgSession();
        return rawEval(session, `(${fn.toString()})(...${JSON.stringify(a)})`);
      },
    });
    return handle;
  } catch (e) {
    await safeClose(browser);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Firefox

/**
 * A stable UUID derived from the gecko id (so the moz-extension:// origin is the same across
 * launches of the same profile when no uuid is given).
 * @param {string} seed
 * @returns {string}
 */
export function stableUuid(seed) {
  const h = crypto.createHash('sha256').update(String(seed)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Firefox prefs for a quiet, deterministic test profile.
 * @param {{hosts: string[], geckoId?: string, uuid?: string}} o
 * @returns {Record<string, string|number|boolean>}
 */
export function firefoxPrefs({ hosts, geckoId, uuid }) {
  return {
    'network.dns.localDomains': hosts.join(','),
    // `<a ping>` is off by default in Firefox; on here so both browsers send the pings the
    // pixel tests expect the extension to stop.
    'browser.send_pings': true,
    'network.proxy.type': 0,
    'privacy.globalprivacycontrol.enabled': false,
    'privacy.globalprivacycontrol.functionality.enabled': true,
    'privacy.donottrackheader.enabled': false,
    ...(geckoId ? { 'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }) } : {}),
    'xpinstall.signatures.required': false,
    'extensions.autoDisableScopes': 0,
    'extensions.enabledScopes': 15,
    'extensions.startupScanScopes': 15,
    'extensions.webextensions.keepStorageOnUninstall': true,
    'extensions.webextensions.keepUuidOnUninstall': true,
    'extensions.originControls.grantByDefault': true,
    'extensions.install.requireBuiltInCerts': false,
    'extensions.update.enabled': false,
    'extensions.update.autoUpdateDefault': false,
    'extensions.getAddons.cache.enabled': false,
    'extensions.systemAddon.update.enabled': false,
    'extensions.blocklist.enabled': false,
    'extensions.quarantinedDomains.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'dom.security.https_first': false,
    'dom.security.https_first_pbm': false,
    'dom.security.https_only_mode': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'app.update.enabled': false,
    'app.update.auto': false,
    'app.normandy.enabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.server': '',
    'datareporting.policy.dataSubmissionEnabled': false,
    'browser.ping-centre.telemetry': false,
    'browser.newtabpage.activity-stream.feeds.telemetry': false,
    'browser.newtabpage.activity-stream.telemetry': false,
    'browser.region.network.url': '',
    'browser.region.update.enabled': false,
    'browser.search.geoip.url': '',
    'browser.safebrowsing.provider.google4.updateURL': '',
    'browser.safebrowsing.provider.mozilla.updateURL': '',
    'browser.aboutwelcome.enabled': false,
    'browser.discovery.enabled': false,
    'messaging-system.rsexperimentloader.enabled': false,
    'app.shield.optoutstudies.enabled': false,
    'browser.tabs.remote.separatePrivilegedMozillaWebContentProcess': false,
    'identity.fxaccounts.enabled': false,
    'security.OCSP.enabled': 0,
    'media.gmp-gmpopenh264.autoupdate': false,
  };
}

/**
 * Launches headless Firefox ESR with the extension installed as a real (non-temporary) unsigned
 * add-on in the profile, so it survives a restart with the same profile.
 * @param {object} opts
 * @param {string|null} [opts.extensionDir] unpacked extension dir (the .xpi is built from it), or
 * @param {string} [opts.xpiPath] an existing .xpi (copied, with the test page added); neither = control run
 * @param {string} opts.profileDir Firefox profile dir (created if missing; reuse it to "restart")
 * @param {number} [opts.port] test web port (kept on the handle for handle.url())
 * @param {'http'|'https'} [opts.scheme='http'] scheme of handle.url() (https: pass the test web's
 *   httpsPort as `port`, and `acceptInsecureCerts` for its self-signed cert)
 * @param {boolean} [opts.acceptInsecureCerts=false] WebDriver BiDi session capability: Firefox
 *   ignores certificate errors (all requests, not only navigations)
 * @param {string[]} [opts.hosts] extra host names for network.dns.localDomains
 * @param {string} [opts.geckoId] default: manifest browser_specific_settings.gecko.id
 * @param {string} [opts.uuid] pinned moz-extension:// uuid; default stableUuid(geckoId)
 * @param {string} [opts.executablePath] default /usr/lib/firefox-esr/firefox-esr
 * @param {Record<string, any>} [opts.prefs] extra prefs
 * @param {number} [opts.timeout=30000]
 * @returns {Promise<BrowserHandle>}
 */
export async function launchFirefox({ extensionDir = null, xpiPath = null, profileDir, port, scheme = 'http', acceptInsecureCerts = false, hosts = [], geckoId, uuid, executablePath, prefs = {}, timeout = 30000 } = {}) {
  if (!profileDir) throw new Error('launchFirefox: profileDir is required');
  const exe = findExecutable(executablePath, FIREFOX_CANDIDATES, 'Firefox ESR', 'firefox-esr');
  await fsp.mkdir(profileDir, { recursive: true });
  const withExt = !!(extensionDir || xpiPath);
  if (withExt) {
    const xpi = await buildXpi({ extensionDir, xpiPath });
    if (!geckoId) {
      const manifest = JSON.parse(readZip(xpi).find((e) => e.name === 'manifest.json').data.toString('utf8'));
      geckoId = manifest.browser_specific_settings?.gecko?.id || manifest.applications?.gecko?.id;
      if (!geckoId) throw new Error('launchFirefox: the manifest has no browser_specific_settings.gecko.id; pass geckoId');
    }
    uuid = uuid || stableUuid(geckoId);
    const extDir = path.join(profileDir, 'extensions');
    await fsp.mkdir(extDir, { recursive: true });
    const target = path.join(extDir, `${geckoId}.xpi`);
    // Rewrite only when changed: a new mtime makes Firefox re-install (an "update") at startup.
    const old = await fsp.readFile(target).catch(() => null);
    if (!old || !old.equals(xpi)) await fsp.writeFile(target, xpi);
  }
  const allPrefs = { ...firefoxPrefs({ hosts: allHosts(hosts), geckoId: withExt ? geckoId : undefined, uuid }), ...prefs };
  const t0 = Date.now();
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: exe,
      headless: process.env.CRUMBWALL_HEADFUL ? false : true,
      userDataDir: profileDir,
      extraPrefsFirefox: allPrefs,
      ...(acceptInsecureCerts ? { acceptInsecureCerts: true } : {}),
      args: ['--remote-allow-system-access'],
      env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1', MOZ_CRASHREPORTER_DISABLE: '1' },
      timeout,
      protocolTimeout: Math.max(timeout, 30000),
      defaultViewport: { width: 1280, height: 900 },
      handleSIGINT: true, handleSIGTERM: true, handleSIGHUP: true,
    });
  } catch (e) {
    throw new Error(`Firefox (${exe}) failed to launch within ${timeout} ms: ${e.message}`, { cause: e });
  }
  try {
    const extensionOrigin = withExt ? `moz-extension://${uuid}` : null;
    let evalPage = null;
    const openExt = async (p, page) => {
      page = page || await browser.newPage();
      const url = `${extensionOrigin}/${p.replace(/^\//, '')}`;
      const deadline = Date.now() + timeout;
      let lastErr;
      // goto on moz-extension:// loads but never resolves over BiDi (waitUntil load and
      // domcontentloaded time out; networkidle0 resolves after ~500 ms). So: start the
      // navigation without awaiting it (its timeout rejection is swallowed) and poll the page
      // until it is the extension page with the browser.* API (~100 ms). Right after startup
      // the add-on may not be registered yet (error page): navigate again.
      while (Date.now() < deadline) {
        page.goto(url, { timeout: 5000 }).catch((e) => { lastErr = e; });
        const until = Math.min(deadline, Date.now() + 4000);
        while (Date.now() < until) {
          await sleep(50);
          try {
            const ok = await page.evaluate((u) => location.href === u && document.readyState === 'complete'
              && !!document.body && typeof browser === 'object' && !!browser.runtime, url);
            if (ok) return page;
          } catch (e) { lastErr = e; } // context replaced mid-navigation: poll again
        }
      }
      await page.close().catch(() => {});
      throw new Error(`Firefox: extension page ${url} did not load with the browser.* API within ${timeout} ms (is the add-on installed and enabled?) ${lastErr ? lastErr.message : ''}`);
    };
    const handle = makeHandle({
      browser,
      kind: 'firefox',
      extensionId: withExt ? uuid : null,
      extensionOrigin,
      geckoId: withExt ? geckoId : null,
      profileDir,
      port,
      scheme,
      launchMs: Date.now() - t0,
      launchedAt: t0,
      async openExtensionPage(p) {
        requireExtension(handle);
        return openExt(p);
      },
      async evalBackground(fn, ...a) {
        requireExtension(handle);
        // Normally opened at launch (below); if a test closed it, reopen it as a background tab
        // (~1 s slower: puppeteer's newPage({background: true}) waits) so the active tab stays.
        if (!evalPage || evalPage.isClosed()) evalPage = await openExt(FIREFOX_TEST_PAGE, await browser.newPage({ background: true }));
        return evalPage.evaluate(fn, ...a);
      },
    });
    if (withExt) {
      // Open the evalBackground tab now, before any test page, so test pages opened later are
      // the active tab (tabs.query({active: true}) in the extension sees the test page). This
      // also proves the add-on is installed and enabled, with a clear error if not.
      evalPage = await openExt(FIREFOX_TEST_PAGE);
      handle.launchMs = Date.now() - t0;
    }
    return handle;
  } catch (e) {
    await safeClose(browser);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------

function requireExtension(handle) {
  if (!handle.extensionOrigin) throw new Error(`${handle.kind}: this browser was launched without an extension (control run)`);
}

/**
 * @typedef {object} BrowserHandle
 * @property {import('puppeteer-core').Browser} browser
 * @property {'chromium'|'firefox'} kind
 * @property {string|null} extensionId chromium: id from the service-worker URL; firefox: the pinned uuid
 * @property {string|null} extensionOrigin chrome-extension://ID or moz-extension://UUID
 * @property {string} profileDir
 * @property {number} launchMs time from launch to "extension worker up" (chromium) / "connected" (firefox)
 * @property {number} launchedAt Date.now() just before the browser was started (to tell a value the
 *   background wrote in this run from one left in storage by a previous run of the same profile)
 * @property {string} [geckoId] firefox only
 * @property {() => Promise<import('puppeteer-core').Page>} newPage
 * @property {'http'|'https'} scheme of url() (the `scheme` launch option)
 * @property {(host: string, path?: string) => string} url SCHEME://HOST:PORT/PATH on the test web
 * @property {(path: string) => Promise<import('puppeteer-core').Page>} openExtensionPage
 * @property {(fn: Function, ...args: any[]) => Promise<any>} evalBackground
 *   chromium: runs fn in the extension service worker (its real background context, `chrome.*`);
 *   firefox: runs fn in an extension page (`_crumbwall_test/blank.html`, kept open in a tab) with
 *   the `browser.*` API — same storage/DNR/permissions, but NOT the background's globals.
 *   Write fn portably: `const api = globalThis.browser ?? globalThis.chrome;`. fn is serialized:
 *   no closures; pass data as args; return JSON-able values.
 * @property {(page: import('puppeteer-core').Page, file: string, opts?: object) => Promise<string>} screenshot
 * @property {() => Promise<void>} close
 */

function makeHandle(h) {
  const handle = {
    ...h,
    newPage: () => h.browser.newPage(),
    url: (host, p = '/') => `${h.scheme || 'http'}://${host}:${h.port}${p.startsWith('/') ? p : '/' + p}`,
    screenshot: (page, file, opts) => screenshot(page, file, opts),
    close: () => safeClose(h.browser),
  };
  return handle;
}

/**
 * Polls `storage.<area>.get(key)` through evalBackground until the value satisfies `predicate`
 * (default: truthy).
 * @param {BrowserHandle} handle
 * @param {{key?: string, area?: 'local'|'session'|'sync', timeout?: number, interval?: number,
 *   predicate?: (value: any) => boolean}} [opts]
 * @returns {Promise<any>} the value
 */
export async function waitForExtensionReady(handle, { key = 'crumbwallReady', area = 'local', timeout = 15000, interval = 100, predicate = (v) => !!v } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      // Each attempt gets a few seconds, so one stuck evaluation does not use up the whole wait.
      last = await withTimeout(handle.evalBackground(async (k, ar) => {
        const api = globalThis.browser ?? globalThis.chrome;
        return (await api.storage[ar].get(k))[k];
      }, key, area), Math.max(1000, Math.min(5000, deadline - Date.now())), 'evalBackground timed out');
      lastErr = undefined;
      if (predicate(last)) return last;
    } catch (e) { lastErr = e; }
    await sleep(interval);
  }
  throw new Error(`${handle.kind}: extension not ready: storage.${area}.${key} = ${JSON.stringify(last)} after ${timeout} ms${lastErr ? ` (last error: ${lastErr.message})` : ''}`);
}

/**
 * Loads a URL and waits until document.title equals `title` (the test web sets 'ready').
 * @param {import('puppeteer-core').Page} page
 * @param {string} url
 * @param {{title?: string, timeout?: number}} [opts]
 * @returns {Promise<number>} ms taken
 */
export async function gotoAndWaitTitle(page, url, { title = 'ready', timeout = 20000 } = {}) {
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.waitForFunction((t) => document.title === t, { timeout, polling: 50 }, title);
  return Date.now() - t0;
}
