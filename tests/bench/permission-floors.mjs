// Which permission makes the page-load floor: the tracker-free page's load event in headless
// Chromium with do-nothing extensions that each hold one set of permissions (an empty worker, no
// rules, no content scripts), against a browser without an extension, all launched side by side
// and loaded in rotating order. Not a figure of `cargo xtask bench` (it measures Chromium, not
// Crumbwall); it backs the `page_load` figure's floor (see README.md). By hand, after
// `cargo xtask build`:
//
//   node tests/bench/permission-floors.mjs [--runs 15]
//
// Prints one JSON document on stdout: per variant, its permissions, the median load event and
// its ratio to the browser without an extension.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, parseArgs } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 15);
const log = (...a) => console.error('permission_floors:', ...a);

const { launchChromium, waitForExtensionReady } = await import('../e2e/lib/browsers.mjs');
const { startTestWeb } = await import('../web/server.mjs');

const ALL = ['storage', 'scripting', 'cookies', 'browsingData', 'declarativeNetRequest', 'webRequest', 'webRequestBlocking'];
const VARIANTS = {
  none: null,
  storage_all_hosts: { permissions: ['storage'], host_permissions: ['<all_urls>'] },
  dnr_no_hosts: { permissions: ['storage', 'declarativeNetRequest'], host_permissions: [] },
  dnr_all_hosts: { permissions: ['storage', 'declarativeNetRequest'], host_permissions: ['<all_urls>'] },
  webrequest_all_hosts: { permissions: ['storage', 'webRequest'], host_permissions: ['<all_urls>'] },
  cookies_scripting_browsingdata_all_hosts: { permissions: ['storage', 'scripting', 'cookies', 'browsingData'], host_permissions: ['<all_urls>'] },
  crumbwall_permissions: { permissions: ALL, host_permissions: ['<all_urls>'] },
};

const dirs = [];
function extension(name, perms) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crumbwall-floor-${name}-`));
  dirs.push(dir);
  const manifest = { manifest_version: 3, name: `floor ${name}`, version: '0.0.1', ...perms, background: { service_worker: 'worker.js' } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, 'worker.js'), 'chrome.storage.session.set({ ready: Date.now() });\n');
  return dir;
}

const web = await startTestWeb({});
const handles = {};
const out = { runs, page: 'site.test/plain', variants: {} };
try {
  for (const [name, perms] of Object.entries(VARIANTS)) {
    const dir = perms && extension(name, perms);
    dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'crumbwall-floor-profile-')));
    handles[name] = await launchChromium({ extensionDir: dir, profileDir: dirs.at(-1), port: web.port, extensionsEnabled: true });
    if (dir) await waitForExtensionReady(handles[name], { key: 'ready', area: 'session', timeout: 20000 });
  }
  const load = async (h) => {
    await new Promise((r) => setTimeout(r, 150));
    const page = await h.newPage();
    try {
      await page.goto(h.url('site.test', '/plain'), { waitUntil: 'load', timeout: 30000 });
      return await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    } finally {
      await page.close().catch(() => {});
    }
  };
  const names = Object.keys(VARIANTS);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let w = 0; w < 2; w++) for (const n of names) await load(handles[n]);
  for (let i = 0; i < runs; i++) {
    const rotated = names.map((_, k) => names[(k + i) % names.length]);
    for (const n of i % 2 ? rotated.reverse() : rotated) samples[n].push(await load(handles[n]));
    log(`run ${i + 1}/${runs}`);
  }
  const base = median(samples.none);
  for (const n of names) {
    const m = median(samples[n]);
    out.variants[n] = { ...(VARIANTS[n] ?? { permissions: [], host_permissions: [], extension: false }), median_ms: Math.round(m * 10) / 10, ratio_to_none: Math.round((m / base) * 1000) / 1000 };
  }
} finally {
  for (const h of Object.values(handles)) await h.close().catch(() => {});
  await web.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
