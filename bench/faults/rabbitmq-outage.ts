/**
 * Fault 1 (issue 12): MESSAGES messages over ROOMS conversations at RATE/s while RabbitMQ is
 * stopped for OUTAGE_S seconds and started again. A private RabbitMQ node (the shared one is
 * never stopped) whose broker application the bench stops after BEFORE_S seconds of sending.
 *
 * Judged: 0 acknowledged sends lost, 0 messages stored twice, 0 (message, member) pairs missing
 * at any client after the drain, 0 duplicate live frames; every service's outbox back to 0 after
 * the broker returns (how long that took is the recovery time).
 *
 *   npx tsx bench/faults/rabbitmq-outage.ts     (MESSAGES, ROOMS, ROOM_SIZE, RATE, BEFORE_S, OUTAGE_S)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { env, runFault } from '../lib/fault-run.ts';
import { log, queryDatabase } from '../lib/platform.ts';
import { totals } from '../lib/realtime-client.ts';
import { account, drain, newSendLog, sendPaced, sendTotals } from '../lib/rooms.ts';

const MESSAGES = env('MESSAGES', 10_000);
const ROOMS = env('ROOMS', 50);
const ROOM_SIZE = env('ROOM_SIZE', 2);
const RATE = env('RATE', 200);
const BEFORE_S = env('BEFORE_S', 10);
const OUTAGE_S = env('OUTAGE_S', 10);

await runFault({ name: 'rabbitmq', rooms: ROOMS, roomSize: ROOM_SIZE, privateRabbit: true }, async ({ platform, rabbit, rooms, clients }) => {
  const pendingEvents = async (): Promise<number> => {
    const counts = await Promise.all(
      Object.values(platform.databases).map((url) =>
        queryDatabase<{ n: number }>(url, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL').then((rows) => rows[0]!.n),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  const sendLog = newSendLog();
  const t0 = performance.now();
  const at = (): number => Math.round(performance.now() - t0) / 1000;
  const outage: Record<string, number> = {};
  let maxPending = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const now = await pendingEvents().catch(() => 0);
      maxPending = Math.max(maxPending, now);
      // Drained: the backlog is down to less than a second of traffic again.
      if (outage.startedAtS !== undefined && outage.backlogDrainedAtS === undefined && now < RATE) outage.backlogDrainedAtS = at();
      await sleep(500);
    }
  })();
  const timeline = (async () => {
    await sleep(BEFORE_S * 1000);
    await rabbit!.stop();
    outage.stoppedAtS = at();
    log('RabbitMQ stopped');
    await sleep(OUTAGE_S * 1000);
    await rabbit!.start();
    outage.startedAtS = at();
    log('RabbitMQ started');
  })();
  await sendPaced({ api: platform.api, rooms, total: MESSAGES, rate: RATE, tag: 'rq', retryForMs: 60_000 }, sendLog);
  await timeline;
  outage.sendsEndedAtS = at();
  log(`sent ${sendLog.attempted}: ${sendLog.acknowledged.length} acknowledged`);
  const drainMs = await drain(clients, sendLog, 60_000);
  // The outbox: every event committed during the outage must reach the broker after it.
  let pending = await pendingEvents();
  while (pending > 0 && performance.now() - t0 < (outage.startedAtS! + 180) * 1000) {
    await sleep(500);
    pending = await pendingEvents();
  }
  outage.outboxEmptyAtS = at();
  sampling = false;
  await sampler;
  const books = await account(platform.api, rooms, clients, sendLog);
  const sockets = totals(clients);
  const result = {
    settings: { messages: MESSAGES, rooms: ROOMS, roomSize: ROOM_SIZE, rate: RATE, beforeS: BEFORE_S, outageS: OUTAGE_S },
    broker: 'private RabbitMQ node (rabbitmqctl stop_app / start_app)',
    outage,
    sends: sendTotals(sendLog),
    ...books,
    clientDrainMs: drainMs,
    outboxMaxPending: maxPending,
    outboxPendingAtEnd: pending,
    backlogDrainedSecondsAfterRestart: Math.round((outage.backlogDrainedAtS! - outage.startedAtS!) * 10) / 10,
    sockets,
  };
  const pass =
    books.acknowledgedNotStored === 0 &&
    books.storedTwice === 0 &&
    books.missing === 0 &&
    pending === 0 &&
    sockets.duplicateLiveFrames === 0 &&
    sendLog.acknowledged.length === MESSAGES;
  return { pass, result };
});
