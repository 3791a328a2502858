// extension/background/platform.js `applyOnce` and what uses it: a background that restarts in
// the same browser session skips rules already in force; a change, a failed apply and a new
// browser session (empty storage.session) apply again. Runs platform.js in Node against a fake
// `chrome` API that records the dynamic-rule updates it receives.
import test from 'node:test';
import assert from 'node:assert/strict';

/** A fake Chromium API: in-memory storage.session and dynamic rules, counting updates. */
function fakeChrome(session = new Map()) {
  const rules = new Map();
  const calls = { updateDynamicRules: 0 };
  return {
    calls,
    session,
    rules,
    runtime: { getURL: (p) => `chrome-extension://test/${p}`, getManifest: () => ({}) },
    storage: {
      session: {
        async get(key) { return session.has(key) ? { [key]: structuredClone(session.get(key)) } : {}; },
        async set(items) { for (const [k, v] of Object.entries(items)) session.set(k, structuredClone(v)); },
      },
    },
    declarativeNetRequest: {
      async getDynamicRules() { return [...rules.values()]; },
      async updateDynamicRules({ removeRuleIds = [], addRules = [] }) {
        calls.updateDynamicRules += 1;
        for (const r of addRules) if (typeof r.id !== 'number') throw new Error('rule without an id');
        for (const id of removeRuleIds) rules.delete(id);
        for (const r of addRules) rules.set(r.id, r);
      },
    },
  };
}

let loads = 0;
/** platform.js as a fresh background would load it (a new module instance) over `chrome`. */
async function background(chrome) {
  globalThis.chrome = chrome;
  delete globalThis.browser;
  loads += 1;
  return import(new URL(`../../extension/background/platform.js?instance=${loads}`, import.meta.url).href);
}

const rule = (id, host) => ({ id, priority: 1, action: { type: 'allow' }, condition: { requestDomains: [host] } });

test('applyOnce: the same value is applied once per browser session, across background restarts', async () => {
  const chrome = fakeChrome();
  const first = await background(chrome);
  await first.blocking.applyAllowlistRules([rule(2000, 'a.test')]);
  await first.blocking.applyAllowlistRules([rule(2000, 'a.test')]);
  assert.equal(chrome.calls.updateDynamicRules, 1, 'the same rules twice: one update');

  // A restarted background (new module instance, same session storage) finds them in force.
  const restarted = await background(chrome);
  await restarted.blocking.applyAllowlistRules([rule(2000, 'a.test')]);
  assert.equal(chrome.calls.updateDynamicRules, 1, 'restart with unchanged rules: no update');

  // A change is applied, and replaces the block's old rules.
  await restarted.blocking.applyAllowlistRules([rule(2000, 'b.test')]);
  assert.equal(chrome.calls.updateDynamicRules, 2);
  assert.deepEqual([...chrome.rules.values()].map((r) => r.condition.requestDomains[0]), ['b.test']);

  // A new browser session (storage.session emptied): applied again, once.
  const fresh = fakeChrome();
  for (const [id, r] of chrome.rules) fresh.rules.set(id, r);
  const relaunched = await background(fresh);
  await relaunched.blocking.applyAllowlistRules([rule(2000, 'b.test')]);
  await relaunched.blocking.applyAllowlistRules([rule(2000, 'b.test')]);
  assert.equal(fresh.calls.updateDynamicRules, 1);
});

test('applyOnce: a failed apply is not recorded, so the next start tries again', async () => {
  const chrome = fakeChrome();
  const bg = await background(chrome);
  await assert.rejects(bg.blocking.applyCustomRules([{ priority: 1 }]), /without an id/);
  assert.equal(chrome.session.get('appliedState')?.['dnr:10000'], undefined, 'nothing recorded for the refused rules');
  const restarted = await background(chrome);
  await assert.rejects(restarted.blocking.applyCustomRules([{ priority: 1 }]), /without an id/);
  assert.equal(chrome.calls.updateDynamicRules, 2, 'tried again after the restart');
  // The previous good rules' record survives a refused change.
  await restarted.blocking.applyCustomRules([rule(10000, 'c.test')]);
  await assert.rejects(restarted.blocking.applyCustomRules([{ priority: 1 }]));
  await restarted.blocking.applyCustomRules([rule(10000, 'c.test')]);
  assert.equal(chrome.calls.updateDynamicRules, 4, 'good, refused, and no update for the good rules still in force');
});

test('applyOnce: applies of one key never interleave, and each key is separate', async () => {
  const chrome = fakeChrome();
  const bg = await background(chrome);
  const order = [];
  const slow = (tag, ms) => async () => {
    order.push(`start ${tag}`);
    await new Promise((r) => setTimeout(r, ms));
    order.push(`end ${tag}`);
  };
  await Promise.all([bg.applyOnce('k', 1, slow('a', 30)), bg.applyOnce('k', 2, slow('b', 1)), bg.applyOnce('other', 1, slow('c', 1))]);
  assert.deepEqual(order.filter((x) => !x.endsWith('c')), ['start a', 'end a', 'start b', 'end b']);
  assert.ok(order.includes('end c'));
  // The last value applied is what is recorded: 1 again applies, 2 does not.
  let ran = 0;
  await bg.applyOnce('k', 2, () => { ran += 1; });
  await bg.applyOnce('k', 1, () => { ran += 1; });
  assert.equal(ran, 1);
});

test('dynamic rules: blocks applied in one task go to the browser as one update', async () => {
  const chrome = fakeChrome();
  const bg = await background(chrome);
  // What the start-up does: every feature's block at once.
  await Promise.all([
    bg.blocking.applyAllowlistRules([rule(2000, 'a.test')]),
    bg.blocking.applyPixelRules([rule(4000, 'p.test'), rule(4001, 'q.test')]),
    bg.blocking.applyCustomRules([rule(10000, 'c.test')]),
    bg.links.applyRules([rule(3000, 'l.test')]),
  ]);
  assert.equal(chrome.calls.updateDynamicRules, 1, 'four blocks, one update');
  assert.deepEqual([...chrome.rules.keys()].sort((a, b) => a - b), [2000, 3000, 4000, 4001, 10000]);
  // A batched replacement removes only the changed block's old rules.
  await Promise.all([bg.blocking.applyPixelRules([rule(4000, 'p.test')]), bg.links.applyRules([])]);
  assert.equal(chrome.calls.updateDynamicRules, 2);
  assert.deepEqual([...chrome.rules.keys()].sort((a, b) => a - b), [2000, 4000, 10000]);
});

test('dynamic rules: a refused block in a batch fails alone; the other blocks land', async () => {
  const chrome = fakeChrome();
  const bg = await background(chrome);
  await bg.blocking.applyCustomRules([rule(10000, 'old.test')]);
  const results = await Promise.allSettled([
    bg.blocking.applyAllowlistRules([rule(2000, 'a.test')]),
    bg.blocking.applyCustomRules([{ priority: 1 }]), // the browser refuses this block
    bg.blocking.applyPixelRules([rule(4000, 'p.test')]),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.match(String(results[1].reason), /without an id/);
  // The refused block keeps its previous rules; the others are in force and recorded.
  assert.equal(chrome.rules.get(10000)?.condition.requestDomains[0], 'old.test');
  assert.ok(chrome.rules.has(2000) && chrome.rules.has(4000));
  const applied = chrome.session.get('appliedState');
  assert.ok(applied['dnr:2000'] && applied['dnr:4000'], 'the landed blocks are recorded');
  // One refused batch, then each block alone (three updates), after the first custom rules.
  assert.equal(chrome.calls.updateDynamicRules, 1 + 1 + 3);
});

test('rulesets: the blocked-frame rulesets are on only with host access to every site', async () => {
  const ids = ['advertising', 'statistical', 'social', 'advertising_frames', 'statistical_frames', 'social_frames'];
  let everyHost = true;
  const enabled = new Set();
  const chrome = fakeChrome();
  chrome.runtime.getManifest = () => ({ declarative_net_request: { rule_resources: ids.map((id) => ({ id })) } });
  chrome.permissions = { async contains({ origins }) { return everyHost && origins.includes('<all_urls>'); } };
  chrome.declarativeNetRequest.updateEnabledRulesets = async ({ enableRulesetIds = [], disableRulesetIds = [] }) => {
    for (const id of disableRulesetIds) enabled.delete(id);
    for (const id of enableRulesetIds) enabled.add(id);
  };
  const bg = await background(chrome);
  await bg.blocking.setCategories(['advertising', 'social']);
  assert.deepEqual([...enabled].sort(), ['advertising', 'advertising_frames', 'social', 'social_frames']);
  // Host access withheld: the redirects would be ignored (the frames would load), so only the
  // block rulesets stay.
  everyHost = false;
  await bg.blocking.setCategories(['advertising', 'social']);
  assert.deepEqual([...enabled].sort(), ['advertising', 'social']);
  everyHost = true;
  await bg.blocking.setCategories(['statistical']);
  assert.deepEqual([...enabled].sort(), ['statistical', 'statistical_frames']);
});
