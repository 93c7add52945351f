/**
 * Redis outage under load (issue 15). Starts Parley distributed on its own ports (gateway 18400,
 * accounts 18401, groups 18402, messages 18403, notifications 18404 and 18405) with a private
 * redis-server on 16390, a fresh PostgreSQL database per service and a RabbitMQ vhost of its own,
 * then: CLIENTS sockets in rooms of ROOM_SIZE (one group per room, sockets spread over both
 * notifications instances), one sender per room, RATE messages/s in total through the gateway's
 * REST API. Redis is stopped for OUTAGE_S seconds mid-run and started again.
 *
 * Clients behave as docs/realtime.md asks (bench/lib/realtime-client.ts): each remembers its
 * room's last `seq`, and on a `resync` frame (or a reconnect) fetches the gap with `?after=`;
 * everything is de-duplicated by message id. Counted: sends refused (anything but 201, never
 * retried), and (message, member) pairs still missing after the drain.
 *
 *   npx tsx bench/redis-outage/run.ts      (CLIENTS, ROOM_SIZE, RATE, BEFORE_S, OUTAGE_S, AFTER_S)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startPrivateRedis } from '@parley/kit/testing';
import { call } from '../lib/api.ts';
import { env } from '../lib/fault-run.ts';
import { deleteVhost, ensureVhost, isolatedUrls } from '../lib/isolation.ts';
import { log, startPlatform, type Platform } from '../lib/platform.ts';
import { totals, type RealtimeClient } from '../lib/realtime-client.ts';
import { connectClients, drain, loadAverage, missingPairs, newSendLog, sendPaced, setUpRooms } from '../lib/rooms.ts';

const CLIENTS = env('CLIENTS', 1000);
const ROOM_SIZE = env('ROOM_SIZE', 10);
const RATE = env('RATE', 50);
const BEFORE_S = env('BEFORE_S', 15);
const OUTAGE_S = env('OUTAGE_S', 10);
const AFTER_S = env('AFTER_S', 15);
const DRAIN_S = env('DRAIN_S', 60);

const redis = await startPrivateRedis({ port: 16390 });
const amqpUrl = isolatedUrls('bench_redis_outage', 0).amqp;
let platform: Platform | undefined;
let clients: RealtimeClient[] = [];
let exitCode = 0;
try {
  deleteVhost(amqpUrl);
  await ensureVhost({ redis: redis.url, amqp: amqpUrl });
  platform = await startPlatform({
    dbPrefix: 'bench_ro',
    redisUrl: redis.url,
    amqpUrl,
    ports: { gateway: 18400, accounts: 18401, groups: 18402, messages: 18403, 'notifications-0': 18404, 'notifications-1': 18405 },
  });
  log(`services up; logs in ${platform.logDir}`);
  const rooms = await setUpRooms(platform.api, 'ro', Math.ceil(CLIENTS / ROOM_SIZE), ROOM_SIZE);
  clients = await connectClients(platform.api, rooms, platform.notificationsPorts);
  log(`${clients.length} sockets ready in ${rooms.conversationIds.length} rooms`);

  // ---------- the run: sends at RATE, Redis down OUTAGE_S mid-run ----------
  const startedAt = performance.now();
  const outage: { stoppedAt?: number; startedAt?: number; readyzDuring?: unknown } = {};
  const api = platform.api;
  const timeline = (async () => {
    await sleep(BEFORE_S * 1000);
    await redis.stop();
    outage.stoppedAt = (performance.now() - startedAt) / 1000;
    log('redis stopped');
    // Readiness is sampled on the side: a slow answer must not stretch the outage.
    void sleep(Math.min(3000, (OUTAGE_S * 1000) / 2))
      .then(() => call(api, 'GET', '/readyz'))
      .then(
        (r) => (outage.readyzDuring = { status: r.status, body: r.json.status }),
        () => undefined,
      );
    await sleep(OUTAGE_S * 1000);
    await redis.start();
    outage.startedAt = (performance.now() - startedAt) / 1000;
    log('redis started');
  })();
  const sendLog = await sendPaced({ api, rooms, total: (BEFORE_S + OUTAGE_S + AFTER_S) * RATE, rate: RATE, tag: 'ro' }, newSendLog());
  await timeline;
  const refused = Object.values(sendLog.failed).reduce((a, b) => a + b, 0);
  log(`sent ${sendLog.attempted}: ${sendLog.acknowledged.length} accepted, refused ${JSON.stringify(sendLog.failed)}`);

  // ---------- drain: until every member has every accepted message of its room ----------
  const drainMs = await drain(clients, sendLog, DRAIN_S * 1000);
  const missing = missingPairs(clients, sendLog.acknowledged);
  const sockets = totals(clients);
  const results = {
    date: new Date().toISOString(),
    settings: { clients: CLIENTS, roomSize: ROOM_SIZE, rate: RATE, beforeS: BEFORE_S, outageS: OUTAGE_S, afterS: AFTER_S },
    outage,
    sendsAttempted: sendLog.attempted,
    sendsAccepted: sendLog.acknowledged.length,
    sendsRefused: refused,
    refusedByStatus: sendLog.failed,
    expectedDeliveries: sendLog.acknowledged.length * ROOM_SIZE,
    missingAfterResync: missing,
    drainSeconds: Math.round(drainMs / 100) / 10,
    socketsToldToResync: clients.filter((c) => c.resyncFrames > 0).length,
    reconnects: sockets.reconnects,
    duplicateLiveFrames: sockets.duplicateLiveFrames,
    failedGapFetches: sockets.failedFetches,
    loadAverage: loadAverage(),
  };
  console.log(JSON.stringify(results, null, 2));
  if (refused > 0 || missing > 0) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  for (const client of clients) client.close();
  await platform?.close();
  await redis.close();
  deleteVhost(amqpUrl);
}
process.exit(exitCode);
