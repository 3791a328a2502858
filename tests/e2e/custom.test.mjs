// The user's own filter lines ("Custom filters" in the options), end to end in the browser under
// test: a custom block filter stops a request no category blocks, a custom exception lets through
// what a list blocks, the allow list still wins, and a line that cannot be used is reported with
// its line number. Checked on the test web's log, each against a run without the custom line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, freshProfile, launch, visit, message, blockingOff, openOptions } from './lib/fixture.mjs';

let web;
before(async () => {
  web = await startTestWeb();
});
after(async () => {
  await web?.close();
});

/** Visits site.test and says whether `host` + `path` reached the server. */
async function loads(h, host, path) {
  web.clear();
  const page = await visit(h, web, 'site.test', '/', { probes: ['top'] });
  await new Promise((r) => setTimeout(r, 300));
  await page.close();
  return web.log.some((e) => e.host === host && e.path === path);
}

test(`${BROWSER}: custom filters block, except, and report unusable lines`, async () => {
  const h = await launch(web, { profileDir: freshProfile('custom') });
  try {
    // Every category off: only the user's own filter can stop analytics.test.
    await blockingOff(h);
    assert.ok(await loads(h, 'analytics.test', '/analytics.js'), 'control: analytics.js loads with every category off');
    const report = await message(h, { type: 'setCustomFilters', text: '! mine\n||analytics.test^\nsite.test##.ad\n||x.test^$popup\n' });
    assert.deepEqual(report.errors.map((e) => e.line), [3, 4], `line problems: ${JSON.stringify(report.errors)}`);
    assert.ok(report.rules >= 1);
    assert.equal(await loads(h, 'analytics.test', '/analytics.js'), false, 'a custom filter blocks analytics.js');
    assert.ok(web.log.some((e) => e.host === 'site.test' && e.path === '/static/app.js'), 'first-party resources still load');
    const again = await message(h, { type: 'getCustomFilters' });
    assert.match(again.text, /\|\|analytics\.test\^/);

    // The options page shows the text and each line it could not use, with its number; saving
    // from the page applies the filters.
    const options = await openOptions(h);
    try {
      await options.waitForFunction(() => document.getElementById('custom-text').value.includes('analytics.test'), { timeout: 10000 });
      const lines = await options.$$eval('#custom-errors li', (lis) => lis.map((li) => li.dataset.line));
      assert.deepEqual(lines, ['3', '4'], 'the options page lists the unusable lines');
      await options.$eval('#custom-text', (t) => { t.value = '||analytics.test^\n||pixel.test^$image\nnot a ## filter ###\n'; });
      await options.click('#custom-save');
      await options.waitForFunction(() => [...document.querySelectorAll('#custom-errors li')].map((li) => li.dataset.line).join() === '3', { timeout: 10000 });
    } finally {
      await options.close();
    }
    assert.equal(await loads(h, 'pixel.test', '/p.gif'), false, 'a filter saved from the options page blocks');

    // Protection off on the site: the user's filters are off there too.
    await message(h, { type: 'setProtection', site: 'site.test', on: false });
    assert.ok(await loads(h, 'analytics.test', '/analytics.js'), 'the allow list wins over custom filters');
    await message(h, { type: 'setProtection', site: 'site.test', on: true });

    // A custom exception lets through what the advertising list blocks.
    await message(h, { type: 'setCustomFilters', text: '' });
    await message(h, { type: 'setCategory', category: 'advertising', on: true });
    assert.equal(await loads(h, 'ads.test', '/ads.js'), false, 'control: the advertising list blocks ads.js');
    await message(h, { type: 'setCustomFilters', text: '@@||ads.test^$script\n' });
    assert.ok(await loads(h, 'ads.test', '/ads.js'), 'a custom exception lets ads.js through');
  } finally {
    await h.close();
  }
});
