// `cargo xtask run [--browser chromium|firefox]`: the local test web plus a browser with the
// extension, open on the demo page. With a display the browser is visible and stays open until
// it is closed (or Ctrl-C); without one, it runs headless and saves screenshots instead.
import path from 'node:path';
import { startTestWeb } from './web/server.mjs';

const browser = process.argv.includes('--browser') ? process.argv[process.argv.indexOf('--browser') + 1] : 'chromium';
const headful = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (headful) process.env.CRUMBWALL_HEADFUL = '1';
process.env.CRUMBWALL_E2E_BROWSER = browser;
const { launch, freshProfile, visit, openPopup } = await import('./e2e/lib/fixture.mjs');

const web = await startTestWeb();
console.log(`test web on 127.0.0.1:${web.port} (site.test, news.test, ads.test, analytics.test, social.test, pixel.test)`);
const h = await launch(web, { profileDir: freshProfile('demo') });
const page = await visit(h, web, 'site.test', '/demo');
const seen = web.log.filter((e) => e.path !== '/favicon.ico');
console.log(`demo page loaded: ${seen.length} requests, ${seen.filter((e) => e.headers.dnt === '1' && e.headers.secGpc === '1').length} with DNT: 1 and Sec-GPC: 1`);
if (headful) {
  console.log('The browser is open on the demo page. Close it (or press Ctrl-C) to stop.');
  await new Promise((resolve) => {
    h.browser.on('disconnected', resolve);
    process.on('SIGINT', resolve);
  });
} else {
  const dir = path.join('demo', browser);
  await h.screenshot(page, path.join(dir, 'demo-page.png'), { fullPage: true });
  const popup = await openPopup(h, 'site.test');
  await h.screenshot(popup, path.join(dir, 'popup.png'));
  console.log(`No display: ran headless. Screenshots: tests/artifacts/${dir}/demo-page.png and popup.png`);
}
await h.close().catch(() => {});
await web.close();
