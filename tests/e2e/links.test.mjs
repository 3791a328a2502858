// Tracked links: tracking parameters removed from navigations (top frame and iframes) before the
// request is sent, click-tracking redirectors skipped, the popup's count, the switches and the
// allow list; end to end in the browser under test, checked on the test web's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWeb } from '../web/server.mjs';
import { BROWSER, freshProfile, launch, message, openOptions, openPopup, eventually } from './lib/fixture.mjs';
import { gotoAndWaitTitle } from './lib/browsers.mjs';

/** A real redirector host (on the core's curated list), resolved to the test web here. */
const REDIRECTOR = 'l.facebook.com';

let web;
before(async () => {
  web = await startTestWeb({
    extraHosts: { [REDIRECTOR]: 'redirector' },
    extraRoutes: {
      // The redirector logs the click and bounces the browser on, as the real one does.
      redirector: {
        '/l.php': {
          kind: 'document',
          handler: (ctx) => {
            const to = new URLSearchParams(ctx.query).get('u') ?? '/';
            ctx.res.writeHead(302, { Location: to, 'Content-Length': '0' });
            ctx.res.end();
          },
        },
      },
      publisher: {
        // A page with a tracked iframe and a link through a click-tracking redirector.
        '/links': {
          kind: 'document',
          handler: (ctx) => {
            const port = ctx.req.socket.localPort;
            const dest = encodeURIComponent(`http://news.test:${port}/dest?utm_medium=social&a=1`);
            ctx.send(200, 'text/html; charset=utf-8', `<!doctype html><title>ready</title>
<iframe src="http://news.test:${port}/frame?fbclid=IwAR0abc&x=1"></iframe>
<a id="bounce" href="http://${REDIRECTOR}:${port}/l.php?u=${dest}&h=AT0xyz">out</a>`);
          },
        },
        '/dest': { kind: 'document', handler: (ctx) => ctx.send(200, 'text/html; charset=utf-8', '<!doctype html><title>ready</title><p>destination') },
      },
    },
  });
});
after(async () => {
  await web?.close();
});

const TRACKED = '/page?utm_source=x&id=5#top';

function requests(host, path) {
  return web.log.filter((e) => e.host === host && e.path === path).map((e) => e.url);
}

async function open(h, host, path) {
  const page = await h.newPage();
  await gotoAndWaitTitle(page, h.url(host, path));
  return page;
}

/** Opens the links page and follows the redirector link; returns the page (on the destination). */
async function followBounce(h) {
  const page = await open(h, 'site.test', '/links');
  await web.waitFor((e) => e.host === 'news.test' && e.path === '/frame', { timeout: 5000 });
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }).catch(() => null), page.click('#bounce')]);
  await page.waitForFunction(() => document.title === 'ready' && location.pathname === '/dest', { timeout: 10000 });
  return page;
}

test(`${BROWSER}: control run without the extension: tracking parameters and redirectors reach the servers`, async () => {
  const h = await launch(web, { profileDir: freshProfile('links-control'), extension: false, hosts: [REDIRECTOR] });
  try {
    web.clear();
    await (await open(h, 'site.test', TRACKED)).close();
    assert.deepEqual(requests('site.test', '/page'), ['/page?utm_source=x&id=5']);
    web.clear();
    await (await followBounce(h)).close();
    assert.deepEqual(requests('news.test', '/frame'), ['/frame?fbclid=IwAR0abc&x=1']);
    assert.equal(web.log.filter((e) => e.host === REDIRECTOR).length, 1, 'the redirector saw the click');
  } finally {
    await h.close();
  }
});

test(`${BROWSER}: tracked links are cleaned before the request is sent`, async (t) => {
  const h = await launch(web, { profileDir: freshProfile('links'), hosts: [REDIRECTOR] });
  try {
    await t.test('a top-level navigation loses its tracking parameters, nothing else', async () => {
      web.clear();
      const page = await open(h, 'site.test', TRACKED);
      assert.deepEqual(requests('site.test', '/page'), ['/page?id=5'], 'the server only ever saw the clean URL');
      assert.equal(new URL(page.url()).search, '?id=5');
      assert.equal(new URL(page.url()).hash, '#top', 'the fragment is kept');
      const popup = await openPopup(h, 'site.test');
      assert.equal(await popup.$eval('#count-links', (e) => e.textContent), '1', 'popup: 1 link cleaned');
      await popup.close();
      await page.close();
    });

    await t.test('an iframe loses its tracking parameters; a redirector is skipped', async () => {
      web.clear();
      const page = await followBounce(h);
      assert.deepEqual(requests('news.test', '/frame'), ['/frame?x=1'], 'iframe URL cleaned');
      assert.deepEqual(web.log.filter((e) => e.host === REDIRECTOR), [], 'the redirector never saw the click');
      assert.deepEqual(requests('news.test', '/dest'), ['/dest?a=1'], 'landed on the destination, cleaned too');
      const popup = await openPopup(h, 'news.test');
      assert.equal(await eventually(() => popup.$eval('#count-links', (e) => e.textContent).then((v) => (v === '1' ? v : null)), { what: 'links count 1' }), '1');
      await popup.close();
      await page.close();
    });

    await t.test('with protection off for the site, links on it are left alone', async () => {
      await message(h, { type: 'setProtection', site: 'site.test', on: false });
      web.clear();
      await (await open(h, 'site.test', TRACKED)).close();
      assert.deepEqual(requests('site.test', '/page'), ['/page?utm_source=x&id=5']);
      await message(h, { type: 'setProtection', site: 'site.test', on: true });
    });

    await t.test('the switches turn each feature off', async () => {
      // As a user would: the options page's switch.
      const options = await openOptions(h);
      assert.equal(await options.$eval('#sw-links-clean', (e) => e.checked), true);
      await options.click('#sw-links-clean');
      await options.waitForFunction(() => document.querySelector('#sw-links-clean').checked === false);
      await eventually(async () => {
        const s = await h.evalBackground(async () => JSON.parse((await (globalThis.browser ?? globalThis.chrome).storage.local.get('settings')).settings));
        return s.links.clean === false;
      }, { what: 'links.clean stored off' });
      await options.close();
      // The browser's rules follow the stored settings within moments.
      await eventually(async () => {
        web.clear();
        await (await open(h, 'site.test', TRACKED)).close();
        return requests('site.test', '/page').includes('/page?utm_source=x&id=5');
      }, { timeout: 8000, what: 'cleaning off to take effect' });
      assert.deepEqual(requests('site.test', '/page'), ['/page?utm_source=x&id=5'], 'cleaning off');
      await message(h, { type: 'setSwitch', name: 'links.skip_redirectors', on: false });
      web.clear();
      await (await followBounce(h)).close();
      assert.equal(web.log.filter((e) => e.host === REDIRECTOR).length, 1, 'skipping off: the redirector sees the click');
      await message(h, { type: 'setSwitch', name: 'links.clean', on: true });
      await message(h, { type: 'setSwitch', name: 'links.skip_redirectors', on: true });
      web.clear();
      await (await open(h, 'site.test', TRACKED)).close();
      assert.deepEqual(requests('site.test', '/page'), ['/page?id=5'], 'back on');
    });
  } finally {
    await h.close();
  }
});
