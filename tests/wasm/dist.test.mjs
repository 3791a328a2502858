// The zips `cargo xtask build` writes: what each browser gets, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readZip } from '../e2e/lib/browsers.mjs';

function load(browser) {
  const entries = readZip(readFileSync(new URL(`../../dist/crumbwall-${browser}.zip`, import.meta.url)));
  const files = new Map(entries.map((e) => [e.name, e.data]));
  return { files, manifest: JSON.parse(files.get('manifest.json').toString('utf8')) };
}

/** Every file the manifest names, so a missing one is caught before a browser refuses the zip. */
function referenced(m) {
  const out = [m.background.service_worker, ...(m.background.scripts ?? []), m.action.default_popup, m.options_ui.page];
  out.push(...Object.values(m.icons), ...Object.values(m.action.default_icon));
  return out.filter(Boolean);
}

for (const browser of ['chrome', 'firefox']) {
  test(`${browser} zip: complete, browser-specific manifest, nothing extra`, () => {
    const { files, manifest } = load(browser);
    assert.equal(manifest.manifest_version, 3);
    for (const f of referenced(manifest)) assert.ok(files.has(f), `${f} is in the zip`);
    for (const f of ['extension/engine/blocker.bin', 'extension/rules/lists.json', 'extension/pkg/crumbwall_wasm.js', 'extension/pkg/crumbwall_wasm_bg.wasm', 'extension/content/signals-main.js', '_locales/en/messages.json', '_locales/de/messages.json', 'LICENSE']) {
      assert.ok(files.has(f), `${f} is in the zip`);
    }
    for (const name of files.keys()) {
      assert.doesNotMatch(name, /(^|\/)(node_modules|target|tests|crates)\/|\.py$|\.rs$|\.d\.ts$/, `${name} does not belong in the zip`);
    }
    assert.match(manifest.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
    assert.doesNotMatch(manifest.content_security_policy.extension_pages, /'unsafe-eval'|unsafe-inline|https?:/);
    if (browser === 'chrome') {
      assert.ok(manifest.background.service_worker && !manifest.background.scripts);
      assert.equal(manifest.browser_specific_settings, undefined);
      assert.ok(!manifest.permissions.includes('webRequestBlocking'), 'Chromium MV3 has no blocking webRequest');
      for (const r of manifest.declarative_net_request.rule_resources) {
        assert.ok(files.has(r.path), `ruleset ${r.id} is in the zip`);
        const rules = JSON.parse(files.get(r.path).toString('utf8'));
        assert.ok(Array.isArray(rules) && rules.length > 0, `ruleset ${r.id} has rules`);
      }
    } else {
      assert.ok(manifest.background.scripts && !manifest.background.service_worker);
      assert.equal(manifest.browser_specific_settings.gecko.id, 'crumbwall@crumbwall.org');
      assert.deepEqual(manifest.browser_specific_settings.gecko.data_collection_permissions, { required: ['none'] });
      assert.equal(manifest.declarative_net_request, undefined, 'Firefox blocks with the engine, not static rules');
      assert.ok(![...files.keys()].some((f) => /^extension\/rules\/(advertising|statistical|social)\.json$/.test(f)));
    }
  });
}

test('English and German locales have the same keys and every used key exists', () => {
  const en = JSON.parse(readFileSync(new URL('../../_locales/en/messages.json', import.meta.url)));
  const de = JSON.parse(readFileSync(new URL('../../_locales/de/messages.json', import.meta.url)));
  assert.deepEqual(Object.keys(de).sort(), Object.keys(en).sort());
  const { files } = load('chrome');
  const used = new Set();
  for (const [name, data] of files) {
    if (!/\.(html|js|json)$/.test(name) || name.startsWith('_locales')) continue;
    const text = data.toString('utf8');
    for (const m of text.matchAll(/data-i18n="([A-Za-z0-9_]+)"|__MSG_([A-Za-z0-9_]+)__|[^.\w]t\('([A-Za-z0-9_]+)'|:([A-Za-z0-9_]+)"/g)) {
      const key = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (key && (m[1] || m[2] || m[3])) used.add(key);
    }
  }
  for (const key of used) assert.ok(en[key], `message ${key} is defined`);
});
