/**
 * Fault 2 (issue 12): the messages service killed with SIGKILL KILLS times while clients send
 * at RATE/s over ROOMS conversations. After each restart (ready again) it runs for
 * BETWEEN_KILLS_S seconds under load, then is killed again, at whatever point its sends are:
 * among them sends committed whose answer or live publish never left (`committedUnanswered`
 * counts those the client then retried and was answered with the stored message).
 *
 * Clients retry a failed send with the same clientMessageId (network error or 5xx, for up to
 * 60 s), as the API asks. Judged: every acknowledged send stored, nothing stored twice,
 * 0 pairs missing after the drain, and `notLive`: stored messages a client got only by a gap
 * fetch, never live (a lost publish; the restart publishes what the dead process left).
 *
 *   npx tsx bench/faults/messages-kill.ts     (KILLS, ROOMS, ROOM_SIZE, RATE, BETWEEN_KILLS_S)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { env, runFault } from '../lib/fault-run.ts';
import { log } from '../lib/platform.ts';
import { totals } from '../lib/realtime-client.ts';
import { account, drain, newSendLog, sendPaced, sendTotals } from '../lib/rooms.ts';

const KILLS = env('KILLS', 20);
const ROOMS = env('ROOMS', 10);
const ROOM_SIZE = env('ROOM_SIZE', 2);
const RATE = env('RATE', 50);
const BETWEEN_KILLS_S = env('BETWEEN_KILLS_S', 3);

await runFault({ name: 'messages_kill', rooms: ROOMS, roomSize: ROOM_SIZE }, async ({ platform, rooms, clients }) => {
  const messages = platform.proc('messages');
  const sendLog = newSendLog();
  let killing = true;
  const downMs: number[] = [];
  const killer = (async () => {
    for (let k = 0; k < KILLS; k += 1) {
      await sleep(BETWEEN_KILLS_S * 1000 * (0.5 + Math.random()));
      await messages.kill('SIGKILL');
      const killedAt = performance.now();
      log(`kill ${k + 1}/${KILLS}`);
      await messages.start();
      downMs.push(Math.round(performance.now() - killedAt));
    }
    await sleep(BETWEEN_KILLS_S * 1000);
    killing = false;
  })();
  await sendPaced({ api: platform.api, rooms, total: Number.MAX_SAFE_INTEGER, rate: RATE, tag: 'mk', retryForMs: 120_000, until: () => !killing }, sendLog);
  await killer;
  log(`sent ${sendLog.attempted}: ${sendLog.acknowledged.length} acknowledged, ${sendLog.committedUnanswered} committed but unanswered`);
  const drainMs = await drain(clients, sendLog, 60_000);
  const books = await account(platform.api, rooms, clients, sendLog);
  const sockets = totals(clients);
  const result = {
    settings: { kills: KILLS, rooms: ROOMS, roomSize: ROOM_SIZE, rate: RATE, betweenKillsS: BETWEEN_KILLS_S },
    kills: downMs.length,
    downMsEach: { min: Math.min(...downMs), max: Math.max(...downMs), mean: Math.round(downMs.reduce((a, b) => a + b, 0) / downMs.length) },
    sends: sendTotals(sendLog),
    ...books,
    clientDrainMs: drainMs,
    notLive: sockets.fetchedNotLive,
    sockets,
  };
  const pass = books.acknowledgedNotStored === 0 && books.storedTwice === 0 && books.missing === 0 && sendLog.acknowledged.length === sendLog.attempted;
  return { pass, result };
});
