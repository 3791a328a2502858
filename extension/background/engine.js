// The engine: the WASM core instance, its settings, and their safe storage.
//
// Settings live in storage.local under `settings` as the core's versioned JSON document, written
// in one `set` call (atomic). A blob the core cannot fully read is kept under `settingsBackups`
// and its problems under `settingsProblems`, so the popup can say so; nothing is lost silently.

import init, { Crumbwall } from '../pkg/crumbwall_wasm.js';
import { api } from './platform.js';
import { urlDecider } from './url-buffer.js';

const MAX_BACKUPS = 5;

/** @type {Crumbwall | null} */
let core = null;
/** `core.decide` through the URL buffer (url-buffer.js), once the core is loaded. */
let fastDecide = null;

/** The core once loaded, or null before (synchronous, for per-request listeners). */
export function engine() {
  return core;
}

/**
 * `(url, source, type, top, method) => code`: `engine().decide` without copying the URL as a
 * string (the per-request hot path); null before the core is loaded.
 */
export function decider() {
  return fastDecide;
}

/** The WASM core instantiated: from the module early.js compiled (Firefox), else fetched now. */
async function instantiate() {
  const url = api.runtime.getURL('extension/pkg/crumbwall_wasm_bg.wasm');
  const early = globalThis.crumbwallEarly?.wasm;
  if (early) {
    try {
      const out = await init({ module_or_path: await early });
      // Says which way the core came (tests check that the early compile is the one used).
      globalThis.crumbwallEarly.used = true;
      return out;
    } catch (e) {
      console.warn('crumbwall: the early WASM compile failed; fetching the module again', e);
    }
  }
  return init({ module_or_path: url });
}

async function load() {
  // The settings are read while the module compiles (early.js starts both on Firefox).
  const readSettings = () => api.storage.local.get('settings');
  const early = globalThis.crumbwallEarly?.settings;
  const settingsRead = early ? early.catch(readSettings) : readSettings();
  const { memory } = await instantiate();
  const stored = (await settingsRead).settings;
  const blob = stored === undefined || stored === null ? undefined : typeof stored === 'string' ? stored : JSON.stringify(stored);
  const c = new Crumbwall(blob);
  const report = c.loadReport();
  if (report.keepBackup) {
    const { settingsBackups = [] } = await api.storage.local.get('settingsBackups');
    const backups = [...(Array.isArray(settingsBackups) ? settingsBackups : []), { savedAt: Date.now(), blob, problems: report.problems }];
    await api.storage.local.set({
      settingsBackups: backups.slice(-MAX_BACKUPS),
      settingsProblems: { at: Date.now(), problems: report.problems },
    });
    console.warn('crumbwall: stored settings had problems; a backup was kept', report.problems);
  }
  core = c;
  fastDecide = urlDecider(c, memory);
  if (blob === undefined || report.keepBackup || report.migratedFrom != null) await save();
  return c;
}

/** Resolves to the core once the WASM module is instantiated and settings are loaded. */
export const ready = load();

let startBlocker = () => {};
const blockerStart = new Promise((resolve) => {
  startBlocker = resolve;
});

/**
 * Starts fetching and loading the engine. The background's start decides when: Firefox at once
 * (its requests wait for the engine; the file is fetched while the module compiles), Chromium
 * once it is ready (its static rules block by themselves, and loading the engine would hold up
 * the start for tens of milliseconds).
 */
export function loadBlockerNow() {
  startBlocker();
}

/**
 * Resolves once the blocking engine (built at build time, shipped serialised) is loaded into the
 * core; never rejects (a missing or damaged engine file is reported and blocking falls back to
 * the browser's static rules where there are any).
 */
export const blockerReady = blockerStart.then(() => {
  const bytes = fetch(api.runtime.getURL('extension/engine/blocker.bin')).then((response) => {
    if (!response.ok) throw new Error(`engine file: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  bytes.catch(() => {}); // reported in loadEngine, once the core is ready
  return ready.then((c) => loadEngine(c, bytes));
});

async function loadEngine(c, bytes) {
  try {
    c.loadBlocker(new Uint8Array(await bytes));
  } catch (e) {
    console.error('crumbwall: the blocking engine could not be loaded', e);
    await api.storage.local.set({ startupError: { at: Date.now(), message: String(e?.message ?? e) } });
  }
  return c;
}

/** Writes the current settings (one atomic storage write). */
export async function save() {
  await api.storage.local.set({ settings: core.settingsJson() });
}

let queue = Promise.resolve();

/**
 * Runs `change(core)` and then `after()` (re-applying rules), one change at a time so concurrent
 * messages never interleave. If `change` throws, nothing is saved and the error is returned to
 * the caller.
 * @template T
 * @param {(core: Crumbwall) => T} change
 * @param {() => Promise<void>} after
 * @returns {Promise<T>}
 */
export function mutate(change, after) {
  const run = queue.then(async () => {
    const c = await ready;
    const before = c.settingsJson();
    const result = change(c);
    if (c.settingsJson() !== before) {
      await save();
      await after();
    }
    return result;
  });
  queue = run.catch(() => {});
  return run;
}
