/**
 * Fault 6 (issue 12): SENDERS members of one group send PER_SENDER messages each, all at once
 * (RATE/s in total), while every member's socket is on one of INSTANCES notifications instances
 * (round robin), plus WATCHERS members who only listen. Nothing is broken on purpose: this is the
 * ordering guarantee under concurrent senders and several instances.
 *
 * Judged: every client's live frames arrive in strictly increasing `seq` (no frame out of order,
 * none twice), none had to be fetched (no gap), and every client holds history's messages at
 * history's seqs.
 *
 *   npx tsx bench/faults/order.ts     (SENDERS, PER_SENDER, WATCHERS, INSTANCES, RATE)
 */
import { env, runFault } from '../lib/fault-run.ts';
import { log } from '../lib/platform.ts';
import { totals } from '../lib/realtime-client.ts';
import { account, drain, newSendLog, sendPaced, sendTotals } from '../lib/rooms.ts';

const SENDERS = env('SENDERS', 20);
const PER_SENDER = env('PER_SENDER', 500);
const WATCHERS = env('WATCHERS', 10);
const INSTANCES = env('INSTANCES', 3);
const RATE = env('RATE', 200);

await runFault({ name: 'order', rooms: 1, roomSize: SENDERS + WATCHERS, platform: { notificationsInstances: INSTANCES } }, async ({ platform, rooms, clients }) => {
  const sendLog = newSendLog();
  const started = performance.now();
  await sendPaced(
    { api: platform.api, rooms, total: SENDERS * PER_SENDER, rate: RATE, tag: 'or', retryForMs: 30_000, senderOf: (room, n) => rooms.members[room]![n % SENDERS]! },
    sendLog,
  );
  const sendSeconds = (performance.now() - started) / 1000;
  log(`sent ${sendLog.attempted}: ${sendLog.acknowledged.length} acknowledged in ${sendSeconds.toFixed(1)} s`);
  const drainMs = await drain(clients, sendLog, 60_000);
  const books = await account(platform.api, rooms, clients, sendLog);
  const sockets = totals(clients);
  const result = {
    settings: { senders: SENDERS, perSender: PER_SENDER, watchers: WATCHERS, instances: INSTANCES, rate: RATE },
    sends: sendTotals(sendLog),
    achievedRate: Math.round(sendLog.acknowledged.length / sendSeconds),
    ...books,
    clientDrainMs: drainMs,
    sockets,
  };
  const pass =
    books.missing === 0 &&
    books.clientsOutOfHistoryOrder === 0 &&
    books.roomsWithSeqHoles === 0 &&
    sockets.outOfOrderLiveFrames === 0 &&
    sockets.duplicateLiveFrames === 0 &&
    sockets.fetchedNotLive === 0;
  return { pass, result };
});
