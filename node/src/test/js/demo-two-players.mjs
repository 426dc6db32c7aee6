// Two players in the browser demo, in the machine's headless Chromium: both join, A moves, B must see it.
//   node demo-two-players.mjs <page URL for A> <page URL for B> <screenshot.png>
// The URLs may be the same node's or two nodes' of a cluster.
// Environment: CHROMIUM (default /usr/bin/chromium). Prints one JSON line with what it saw, and exits 0 when
// every step happened in time, 1 otherwise (the JSON then has "error"). Never downloads a browser.
import { chromium } from 'playwright-core';

const [urlA, urlB, screenshot] = process.argv.slice(2);
if (!urlA || !urlB || !screenshot) {
  console.error('usage: node demo-two-players.mjs <page URL for A> <page URL for B> <screenshot.png>');
  process.exit(2);
}
const STEP_TIMEOUT_MS = 10_000;
const result = { urlA, urlB, screenshot, pageErrors: [] };
const watchdog = setTimeout(() => {
  console.log(JSON.stringify({ ...result, error: 'gave up after 90 s' }));
  process.exit(1);
}, 90_000);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  timeout: 30_000,
});
let exitCode = 0;
try {
  const open = async (name, url) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 680 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (e) => result.pageErrors.push(`${name}: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && result.pageErrors.push(`${name}: ${m.text()}`));
    await page.goto(url);
    return page;
  };
  const state = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.demoState)));
  const join = async (page) => {
    await page.click('#join');
    await page.waitForFunction(() => window.demoState.joined && document.body.dataset.joined === 'true');
    return (await state(page)).player;
  };

  step('open pages');
  const pageA = await open('A', urlA);
  const pageB = await open('B', urlB);
  step('A joins');
  result.playerA = await join(pageA);
  step('B joins');
  result.playerB = await join(pageB);
  result.wsA = (await state(pageA)).ws;
  result.wsB = (await state(pageB)).ws;
  step('B sees A');
  await pageB.waitForFunction((id) => !!window.demoState.players[id], result.playerA);
  step('A sees B');
  await pageA.waitForFunction((id) => !!window.demoState.players[id], result.playerB);
  result.aBeforeOnB = (await state(pageB)).players[result.playerA];

  step('A moves up, up, right');
  let seen = 0;
  for (const key of ['ArrowUp', 'ArrowUp', 'ArrowRight']) {
    await pageA.keyboard.press(key);
    seen++;
    await pageA.waitForFunction((n) => window.demoState.movesSeen >= n, seen);
  }
  const expected = { x: round2(result.aBeforeOnB.x + 0.5), y: round2(result.aBeforeOnB.y + 1) };
  result.aExpected = expected;
  step('B sees A at the new position');
  await pageB.waitForFunction(([id, x, y]) => {
    const p = window.demoState.players[id];
    return p && p.x === x && p.y === y;
  }, [result.playerA, expected.x, expected.y]);
  result.aAfterOnB = (await state(pageB)).players[result.playerA];
  result.bSawAMove = true;

  step('B moves down');
  await pageB.keyboard.press('ArrowDown');
  await pageB.waitForFunction(() => window.demoState.movesSeen >= 1);
  await pageA.waitForFunction((id) => window.demoState.players[id]?.action === 'move_down', result.playerB);

  step('round trip shown');
  for (const [name, page] of [['A', pageA], ['B', pageB]]) {
    const s = await state(page);
    result['rttMs' + name] = s.rttMs;
    result['rttText' + name] = await page.textContent('#rtt');
    result['rttData' + name] = await page.getAttribute('body', 'data-rtt-ms');
    result['movesSent' + name] = s.movesSent;
    result['players' + name] = Object.keys(s.players).length;
  }
  await pageB.waitForTimeout(400); // let the drawn positions settle
  step('screenshots');
  await pageB.screenshot({ path: screenshot });
  await pageA.screenshot({ path: screenshot.replace(/\.png$/, '-a.png') });
  result.step = 'done';
} catch (e) {
  result.error = String(e && e.stack ? e.stack : e);
  exitCode = 1;
} finally {
  await browser.close().catch(() => {});
  clearTimeout(watchdog);
}
console.log(JSON.stringify(result));
process.exit(exitCode);

function step(name) {
  result.step = name;
}

function round2(v) {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r;
}
