/**
 * The web app's browser budgets (issue 9), measured in headless Chromium against the platform
 * started as `npm start` starts it:
 *
 *   npm run bench:web        (BENCH_WEB_LONG_MESSAGES, BENCH_WEB_SENDS, BENCH_WEB_LOADS to scale)
 *
 * 1. Chat list: time from navigation to the first chat of the list on screen, signed in, on a
 *    warm server (one load first, then BENCH_WEB_LOADS measured loads). Measured in the page:
 *    performance.now() (0 = navigation start) when a MutationObserver first sees a chat row.
 * 2. Delivery: Alice sends BENCH_WEB_SENDS messages one after another from the composer (Enter);
 *    latency = the moment Bob's page shows it (a MutationObserver) minus the moment Alice's
 *    page handled the Enter key. Both pages run on this machine's clock (timeOrigin + now).
 * 3. Long tasks: Bob scrolls a conversation of BENCH_WEB_LONG_MESSAGES messages from the newest
 *    to the very first with the mouse wheel (history loads page by page as he goes), while a
 *    PerformanceObserver('longtask') records every task over 50 ms. The opening of the
 *    conversation is not counted, only the scrolling.
 *
 * The platform's per-IP and per-user send limits are raised for the seeding of the long
 * conversation (several senders in parallel, retried on 429/5xx with idempotent
 * clientMessageIds: seed.ts); everything else is the default configuration.
 * Results: printed, and written to bench/results/web.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createGroup, registerUser, sendMessage } from '../../apps/web/e2e/support/api.ts';
import { ParleyUi } from '../../apps/web/e2e/support/app.ts';
import { launchBrowser, newUserContext } from '../../apps/web/e2e/support/browser.ts';
import { repoRoot, startPlatform } from '../../apps/web/e2e/support/platform.ts';
import { loadAverage } from '../lib/measure.ts';
import { percentile } from '../lib/processes.ts';
import { seedConversation } from './seed.ts';

const LONG_MESSAGES = Number(process.env.BENCH_WEB_LONG_MESSAGES ?? 10_000);
const SENDS = Number(process.env.BENCH_WEB_SENDS ?? 50);
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 10);
const SENDERS = 4;
const SEED_CONCURRENCY = Number(process.env.BENCH_WEB_SEED_CONCURRENCY ?? 8);

const round = (ms: number) => Math.round(ms * 10) / 10;
const log = (line: string) => console.log(`bench:web: ${line}`);
const loadBefore = loadAverage();

const platform = await startPlatform({ SEND_RATE_PER_MINUTE: '1000000' });
const browser = await launchBrowser();
try {
  // --- people and conversations ------------------------------------------------------------
  const alice = await registerUser(platform.url, 'alice', 'Alice');
  const bob = await registerUser(platform.url, 'bob', 'Bob');
  const others = await Promise.all(Array.from({ length: SENDERS - 2 }, (_, i) => registerUser(platform.url, `sender${i}`, `Sender ${i}`)));
  const chat = await createGroup(platform.url, alice, 'Latency', [bob]);
  const long = await createGroup(platform.url, alice, 'Ten thousand', [bob, ...others]);
  await sendMessage(platform.url, alice, chat.id, 'hello');

  const seeding = await seedConversation({
    baseUrl: platform.url,
    conversationId: long.id,
    senders: [alice, bob, ...others],
    count: LONG_MESSAGES,
    concurrency: SEED_CONCURRENCY,
    body: (i) =>
      `Message ${i + 1} of ${LONG_MESSAGES}: ${i % 7 === 0 ? 'a longer line of text that wraps onto a second line in the conversation view, as real chat does now and then' : 'short one'}`,
    log,
  });
  log(`seeded ${LONG_MESSAGES} messages through the API in ${seeding.seconds} s (${seeding.perSecond}/s, ${seeding.retries} retries)`);

  const aliceContext = await newUserContext(browser, platform.url, 'en');
  const bobContext = await newUserContext(browser, platform.url, 'en');
  await new ParleyUi(aliceContext.page, 'en').signIn(alice);
  await new ParleyUi(bobContext.page, 'en').signIn(bob);

  // --- 1. chat list visible after navigation ---------------------------------------------------
  const listPage = await aliceContext.context.newPage();
  await listPage.addInitScript(() => {
    const w = window as unknown as { __chatListVisibleAt?: number };
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid="chat-list-item"]')) {
        w.__chatListVisibleAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const chatListTimes: number[] = [];
  for (let i = 0; i <= LOADS; i++) {
    await listPage.goto('/');
    await listPage.getByTestId('chat-list-item').first().waitFor();
    const at = await listPage.evaluate(() => (window as unknown as { __chatListVisibleAt?: number }).__chatListVisibleAt ?? Number.NaN);
    if (i > 0) chatListTimes.push(at); // the first load warms the server and the cache
  }
  await listPage.close();
  chatListTimes.sort((a, b) => a - b);
  log(`chat list visible after navigation: p50 ${round(percentile(chatListTimes, 50))} ms, max ${round(chatListTimes.at(-1)!)} ms (${LOADS} loads)`);

  // --- 2. delivery latency between two browsers -----------------------------------------------
  const aliceUi = new ParleyUi(aliceContext.page, 'en');
  const bobUi = new ParleyUi(bobContext.page, 'en');
  await aliceContext.page.goto(`/c/${chat.id}`);
  await bobContext.page.goto(`/c/${chat.id}`);
  await aliceUi.composer().waitFor();
  await bobUi.message('hello').waitFor();
  await aliceContext.page.evaluate(() => {
    const w = window as unknown as { __sentAt: Record<string, number> };
    w.__sentAt = {};
    document.addEventListener(
      'keydown',
      (event) => {
        const target = event.target as HTMLTextAreaElement;
        if (event.key === 'Enter' && target.tagName === 'TEXTAREA') w.__sentAt[target.value] = performance.timeOrigin + performance.now();
      },
      true,
    );
  });
  await bobContext.page.evaluate(() => {
    const w = window as unknown as { __shownAt: Record<string, number> };
    w.__shownAt = {};
    new MutationObserver(() => {
      for (const body of document.querySelectorAll('[data-testid="message-body"]')) {
        const text = body.textContent ?? '';
        if (text.startsWith('latency ') && !(text in w.__shownAt)) w.__shownAt[text] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const latencies: number[] = [];
  for (let i = 0; i < SENDS; i++) {
    const body = `latency ${i}`;
    await aliceUi.composer().fill(body);
    await aliceUi.composer().press('Enter');
    await bobUi.message(body).waitFor();
    const sentAt = await aliceContext.page.evaluate((text) => (window as unknown as { __sentAt: Record<string, number> }).__sentAt[text], body);
    const shownAt = await bobContext.page.evaluate((text) => (window as unknown as { __shownAt: Record<string, number> }).__shownAt[text], body);
    if (sentAt === undefined || shownAt === undefined) throw new Error(`no timing for ${body}`);
    latencies.push(shownAt - sentAt);
  }
  latencies.sort((a, b) => a - b);
  log(
    `delivery latency: p50 ${round(percentile(latencies, 50))} ms, p95 ${round(percentile(latencies, 95))} ms, max ${round(latencies.at(-1)!)} ms (${SENDS} sends)`,
  );

  // --- 3. long tasks while scrolling 10,000 messages -------------------------------------------
  const scrollPage = bobContext.page;
  await scrollPage.goto(`/c/${long.id}`);
  await bobUi.message(`Message ${LONG_MESSAGES} of ${LONG_MESSAGES}:`).waitFor();
  await startLongTaskObserver(scrollPage);
  const scrollStart = performance.now();
  await scrollPage.getByRole('log').hover();
  const start = scrollPage.getByText(bobUi.t('conversation.start'));
  const first = bobUi.message(`Message 1 of ${LONG_MESSAGES}:`);
  let steps = 0;
  // Both: the start notice shows for a moment as the last page is prepended, before the list
  // puts the rows it had back under the viewport.
  while (!(await start.isVisible()) || !(await first.isVisible())) {
    await scrollPage.mouse.wheel(0, -1500);
    await scrollPage.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    steps++;
    if (steps > 20 * LONG_MESSAGES) throw new Error('never reached the first message');
  }
  const scrollSeconds = (performance.now() - scrollStart) / 1000;
  const longTasks = await scrollPage.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  longTasks.sort((a, b) => a - b);
  log(
    `scrolled ${LONG_MESSAGES} messages in ${steps} wheel steps, ${scrollSeconds.toFixed(1)} s: ${longTasks.length} long tasks, longest ${round(longTasks.at(-1) ?? 0)} ms`,
  );

  const result = {
    date: new Date().toISOString(),
    chromium: browser.version(),
    loadAverage: { before: loadBefore, after: loadAverage() },
    seeding: { messages: LONG_MESSAGES, concurrency: SEED_CONCURRENCY, ...seeding },
    chatListVisibleMs: { loads: LOADS, p50: round(percentile(chatListTimes, 50)), max: round(chatListTimes.at(-1)!), all: chatListTimes.map(round) },
    deliveryMs: { sends: SENDS, p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), max: round(latencies.at(-1)!) },
    scroll: {
      messages: LONG_MESSAGES,
      wheelSteps: steps,
      seconds: round(scrollSeconds),
      longTasks: longTasks.length,
      longestMs: round(longTasks.at(-1) ?? 0),
      over50Ms: longTasks.filter((d) => d > 50).map(round),
    },
  };
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench', 'results', 'web.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
  await platform.stop();
}

/** Records every long task (> 50 ms, the browser's own threshold) from now on in window.__longTasks. */
async function startLongTaskObserver(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
}
