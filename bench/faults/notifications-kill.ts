/**
 * Fault 4 (issue 12): one of two notifications instances killed with SIGKILL under load. Rooms
 * of ROOM_SIZE with their sockets spread over both instances, sends at RATE/s for BEFORE_S +
 * AFTER_S seconds; notifications-1 is killed after BEFORE_S and not started again. Its clients
 * reconnect to the other instance (as a load balancer would send them) and fetch the gap.
 *
 * Judged: every client that lost its socket is `ready` on the other within 5 s (worst case
 * reported), and 0 (message, member) pairs are missing after the drain.
 *
 *   npx tsx bench/faults/notifications-kill.ts     (ROOMS, ROOM_SIZE, RATE, BEFORE_S, AFTER_S)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { env, runFault } from '../lib/fault-run.ts';
import { log } from '../lib/platform.ts';
import { totals } from '../lib/realtime-client.ts';
import { account, drain, newSendLog, sendPaced } from '../lib/rooms.ts';

const ROOMS = env('ROOMS', 20);
const ROOM_SIZE = env('ROOM_SIZE', 10);
const RATE = env('RATE', 50);
const BEFORE_S = env('BEFORE_S', 10);
const AFTER_S = env('AFTER_S', 20);
const RECONNECT_LIMIT_MS = 5000;

await runFault({ name: 'notifications_kill', rooms: ROOMS, roomSize: ROOM_SIZE }, async ({ platform, rooms, clients }) => {
  const sendLog = newSendLog();
  const victim = platform.proc('notifications-1');
  const onVictim = clients.filter((c) => c.port === victim.port).length;
  const killer = (async () => {
    await sleep(BEFORE_S * 1000);
    await victim.kill('SIGKILL');
    log(`notifications-1 killed (${onVictim} sockets on it)`);
  })();
  await sendPaced({ api: platform.api, rooms, total: (BEFORE_S + AFTER_S) * RATE, rate: RATE, tag: 'nk', retryForMs: 30_000 }, sendLog);
  await killer;
  const drainMs = await drain(clients, sendLog, 60_000);
  const books = await account(platform.api, rooms, clients, sendLog);
  const sockets = totals(clients);
  const result = {
    settings: { rooms: ROOMS, roomSize: ROOM_SIZE, rate: RATE, beforeS: BEFORE_S, afterS: AFTER_S },
    socketsOnKilledInstance: onVictim,
    socketsReconnected: clients.filter((c) => c.reconnectMs.length > 0).length,
    sends: { attempted: sendLog.attempted, acknowledged: sendLog.acknowledged.length, failed: sendLog.failed, retries: sendLog.retries },
    ...books,
    clientDrainMs: drainMs,
    sockets,
  };
  const pass = books.missing === 0 && books.acknowledgedNotStored === 0 && sockets.worstReconnectMs <= RECONNECT_LIMIT_MS && result.socketsReconnected === onVictim;
  return { pass, result };
});
