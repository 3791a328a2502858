// Parity: Chromium's own evaluation of the compiled rulesets (declarativeNetRequest.
// testMatchOutcome, no network) against the WASM engine's decision, on the 10k real requests.
// Goal ≥ 99.5% agreement; fails below 99%. Prints the figure and the first disagreements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, EXTENSION_DIR, freshProfile, launch } from './lib/fixture.mjs';
import { initSync, Crumbwall } from '../../extension/pkg/crumbwall_wasm.js';

const DATA = process.env.CRUMBWALL_DATA;
const skip = BROWSER !== 'chromium'
  ? 'parity is measured with Chromium\'s testMatchOutcome (Firefox decides with the engine itself)'
  : !DATA ? 'skipped: CRUMBWALL_DATA not set (needs requests/requests-sample-10k.json)' : false;

/** The data set's DevTools types mapped to webRequest/DNR types (see its SOURCES.md). */
function dnrType(r) {
  switch (r.cpt) {
    case 'document': return r.url === r.frameUrl ? 'main_frame' : 'sub_frame';
    case 'xhr': case 'fetch': return 'xmlhttprequest';
    case 'eventsource': case 'manifest': case 'texttrack': return 'other';
    default: return r.cpt;
  }
}

function originOf(u) {
  try {
    const o = new URL(u).origin;
    return o.startsWith('http') ? o : undefined;
  } catch {
    return undefined;
  }
}

test(`${BROWSER}: compiled DNR rules agree with the engine on the 10k request sample`, { skip }, async () => {
  const requests = fs.readFileSync(path.join(DATA, 'requests', 'requests-sample-10k.json'), 'utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
    .map((r) => ({ url: r.url, frameUrl: r.frameUrl, type: dnrType(r) }))
    .filter((r) => /^https?:\/\//.test(r.url));

  // The engine's decisions, in WASM as the extension runs it.
  initSync({ module: fs.readFileSync(path.join(EXTENSION_DIR, 'extension/pkg/crumbwall_wasm_bg.wasm')) });
  const core = new Crumbwall(undefined);
  core.loadBlocker(fs.readFileSync(path.join(EXTENSION_DIR, 'extension/engine/blocker.bin')));
  // The lists alone: Chromium's side below is its static rulesets (the dynamic pixel, link and
  // allow-list rules are not compared here; tests/e2e/pixels.test.mjs covers the pixel rules).
  const engineBlocks = requests.map((r) => core.listsBlock(r.url, r.frameUrl, r.type));

  // Chromium's: a copy of the build with the feedback permission testMatchOutcome needs.
  const dir = freshProfile('parity-ext');
  fs.cpSync(EXTENSION_DIR, dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  manifest.permissions.push('declarativeNetRequestFeedback');
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const web = await startTestWeb();
  const h = await launch(web, { profileDir: freshProfile('parity'), extensionDir: dir });
  const chromeBlocks = [];
  try {
    const CHUNK = 1000;
    for (let i = 0; i < requests.length; i += CHUNK) {
      const chunk = requests.slice(i, i + CHUNK).map((r) => {
        const details = { url: r.url, type: r.type, method: 'get' };
        const initiator = r.type === 'main_frame' ? undefined : originOf(r.frameUrl);
        if (initiator) details.initiator = initiator;
        return details;
      });
      const out = await h.evalBackground(async (reqs) => {
        const dnr = chrome.declarativeNetRequest;
        globalThis.__crumbwallRuleActions ??= await (async () => {
          const actions = new Map();
          for (const r of chrome.runtime.getManifest().declarative_net_request.rule_resources) {
            const rules = await (await fetch(chrome.runtime.getURL(r.path))).json();
            for (const rule of rules) actions.set(`${r.id}:${rule.id}`, rule.action.type);
          }
          return actions;
        })();
        const actions = globalThis.__crumbwallRuleActions;
        const result = [];
        for (const req of reqs) {
          try {
            const { matchedRules } = await dnr.testMatchOutcome(req);
            result.push(matchedRules.some((m) => actions.get(`${m.rulesetId}:${m.ruleId}`) === 'block'));
          } catch (e) {
            result.push(`error: ${e.message}`);
          }
        }
        return result;
      }, chunk);
      chromeBlocks.push(...out);
    }
  } finally {
    await h.close();
    await web.close();
  }

  const errors = chromeBlocks.filter((b) => typeof b === 'string');
  let agree = 0;
  const disagreements = [];
  requests.forEach((r, i) => {
    if (chromeBlocks[i] === engineBlocks[i]) agree += 1;
    else disagreements.push(`${typeof chromeBlocks[i] === 'string' ? chromeBlocks[i] : `chromium ${chromeBlocks[i] ? 'blocks' : 'allows'}, engine ${engineBlocks[i] ? 'blocks' : 'allows'}`}: ${r.type} ${r.url.slice(0, 120)} from ${r.frameUrl.slice(0, 60)}`);
  });
  const share = agree / requests.length;
  console.log(`# parity: ${agree}/${requests.length} = ${(share * 100).toFixed(2)}% agreement (goal 99.5%); engine blocks ${engineBlocks.filter(Boolean).length}, Chromium blocks ${chromeBlocks.filter((b) => b === true).length}; ${errors.length} testMatchOutcome errors`);
  for (const d of disagreements.slice(0, 15)) console.log(`#   ${d}`);
  assert.ok(share >= 0.99, `agreement ${(share * 100).toFixed(2)}% is below 99%`);
});
