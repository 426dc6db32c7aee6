// A page of the browser demo resumes by itself after its connection drops, in the machine's headless Chromium:
// A and B join, A presses "Drop the connection" (the page stays away 5 s), B moves twice meanwhile, A must
// resume, recover B's moves and show it, and play on.
//   node demo-resume.mjs <page URL for A> <page URL for B> <screenshot.png>
// Environment: CHROMIUM (default /usr/bin/chromium). Prints one JSON line with what it saw, and exits 0 when
// every step happened in time, 1 otherwise (the JSON then has "error"). Never downloads a browser.
import { chromium } from 'playwright-core';

const [urlA, urlB, screenshot] = process.argv.slice(2);
if (!urlA || !urlB || !screenshot) {
  console.error('usage: node demo-resume.mjs <page URL for A> <page URL for B> <screenshot.png>');
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
    await page.waitForFunction(() => window.demoState.joined && window.demoState.resumable);
    return (await state(page)).player;
  };

  step('open pages');
  const pageA = await open('A', urlA);
  const pageB = await open('B', urlB);
  step('A joins');
  result.playerA = await join(pageA);
  step('B joins');
  result.playerB = await join(pageB);
  step('A sees B');
  await pageA.waitForFunction((id) => !!window.demoState.players[id], result.playerB);
  result.resumesTextBefore = await pageA.textContent('#resumes');
  result.seqABefore = (await state(pageA)).seq;

  step('A drops its connection');
  await pageA.click('#drop');
  await pageA.waitForFunction(() => !window.demoState.connected && window.demoState.reconnecting);
  result.statusAAway = await pageA.textContent('#status');

  step('B moves twice while A is away');
  for (const [n, key] of [[1, 'ArrowUp'], [2, 'ArrowRight']]) {
    await pageB.keyboard.press(key);
    await pageB.waitForFunction((k) => window.demoState.movesSeen >= k, n);
  }
  result.bAfter = (await state(pageB)).players[result.playerB];
  result.aStillAwayAfterBMoved = !(await state(pageA)).connected;

  step('A resumes');
  await pageA.waitForFunction(() => window.demoState.resumes >= 1 && window.demoState.joined);
  await pageA.waitForFunction(([id, x, y]) => {
    const p = window.demoState.players[id];
    return p && p.x === x && p.y === y;
  }, [result.playerB, result.bAfter.x, result.bAfter.y]);
  const a = await state(pageA);
  result.resumesA = a.resumes;
  result.lastReplayedA = a.lastReplayed;
  result.lastResumeFailureA = a.lastResumeFailure;
  result.seqAAfter = a.seq;
  result.bOnA = a.players[result.playerB];
  result.playerAAfter = a.player;
  result.resumesText = await pageA.textContent('#resumes');
  result.lastResumeText = await pageA.textContent('#last-resume');
  result.replayedData = await pageA.getAttribute('body', 'data-replayed');
  result.statusA = await pageA.textContent('#status');
  result.eventsA = await pageA.$$eval('#events li', (items) => items.map((i) => i.textContent));

  step('A plays on after the resume: B sees A move');
  await pageA.keyboard.press('ArrowLeft');
  await pageA.waitForFunction(() => window.demoState.movesSeen >= 1);
  await pageB.waitForFunction((id) => window.demoState.players[id]?.action === 'move_left', result.playerA);
  result.aMovedAfterResume = true;

  await pageA.waitForTimeout(400); // let the drawn positions settle
  step('screenshot');
  await pageA.screenshot({ path: screenshot });
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
