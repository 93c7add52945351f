/**
 * Fault 3 (issue 12): Redis restarted during fan-out. The run's private redis-server (no
 * persistence: it comes back empty, as a restarted cache does) is stopped after BEFORE_S of
 * sends at RATE/s over ROOMS rooms of ROOM_SIZE sockets, and started again OUTAGE_S later.
 * Live frames go through Redis, so messages stored meanwhile reach clients only when they
 * detect the gap (a `resync` frame, or a later frame's `seq` beyond a hole) and fetch it.
 *
 * Judged, messages: the messages acknowledged before Redis returned are at every member's
 * client 5 s after it returned (`missingAt5s`; `gapClosedMs` is when the last arrived), and
 * after the final drain 0 pairs are missing, nothing is stored twice.
 *
 * Judged, presence (docs/presence.md): `watched` users (one per room, connected throughout)
 * show online in `GET /api/v1/presence` and in their public profile (`GET /api/v1/users/:id`,
 * seen by a room mate) once Redis is back (`onlineAgainMs`), and never offline after that;
 * `leavers` (LEAVERS rooms' last member, whose socket closes during the outage) show offline
 * once the instances trust their counts again (`leaversOfflineMs`). The watch lasts until the
 * leavers are offline plus one sweep, or PRESENCE_WATCH_S.
 *
 *   npx tsx bench/faults/redis-restart.ts   (ROOMS, ROOM_SIZE, RATE, BEFORE_S, OUTAGE_S, AFTER_S, LEAVERS, PRESENCE_WATCH_S)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from '../lib/api.ts';
import { env, runFault } from '../lib/fault-run.ts';
import { inParallel } from '../lib/parallel.ts';
import { log } from '../lib/platform.ts';
import { totals, type ClientUser } from '../lib/realtime-client.ts';
import { account, drain, missingPairs, newSendLog, sendPaced, sendTotals } from '../lib/rooms.ts';

const ROOMS = env('ROOMS', 20);
const ROOM_SIZE = env('ROOM_SIZE', 10);
const RATE = env('RATE', 50);
const BEFORE_S = env('BEFORE_S', 10);
const OUTAGE_S = env('OUTAGE_S', 10);
const AFTER_S = env('AFTER_S', 15);
const LEAVERS = env('LEAVERS', 5);
/**
 * Longest watch of presence after Redis returns. A leaver's offline can take: until the
 * instance's cache trusts Redis again (its next cache call, at worst a key refresh: 30 s), the
 * settling (60 s), a sweep that first finds them uncounted (up to 30 s), the grace period (30 s)
 * and the sweep after it (up to 30 s): 180 s, plus room.
 */
const PRESENCE_WATCH_S = env('PRESENCE_WATCH_S', 300);
const SWEEP_S = 30;
const GAP_LIMIT_MS = 5000;

/** What another user sees of each user: `GET /presence` and the public profile; `unavailable` for a non-200. */
type Seen = Map<string, { presence: string; profile: string }>;

await runFault({ name: 'redis_restart', rooms: ROOMS, roomSize: ROOM_SIZE }, async ({ platform, redis, rooms, clients }) => {
  const api = platform.api;
  const watched = rooms.members.map((room) => room[1]!);
  const leavers = rooms.members.slice(0, LEAVERS).map((room) => room.at(-1)!);
  const leaverIds = new Set(leavers.map((u) => u.id));
  const stayers = clients.filter((c) => !leaverIds.has(c.user.id));
  const observerOf = (user: ClientUser): ClientUser => rooms.members[user.room]![0]!;

  const look = async (users: readonly ClientUser[]): Promise<Seen> => {
    const presence = await call(api, 'GET', `/api/v1/presence?userIds=${users.map((u) => u.id).join(',')}`, rooms.users[0]!.token).catch(() => undefined);
    const byPresence = new Map<string, string>(
      presence?.status === 200 ? presence.json.items.map((i: { userId: string; status: string }) => [i.userId, i.status]) : [],
    );
    const profiles = await inParallel(users, 8, (u) => call(api, 'GET', `/api/v1/users/${u.id}`, observerOf(u).token).catch(() => undefined));
    return new Map(
      users.map((u, i) => [
        u.id,
        { presence: byPresence.get(u.id) ?? 'unavailable', profile: profiles[i]?.status === 200 ? String(profiles[i].json.status) : 'unavailable' },
      ]),
    );
  };
  const all = (seen: Seen, users: readonly ClientUser[], status: string, where: 'presence' | 'profile'): boolean =>
    users.every((u) => seen.get(u.id)?.[where] === status);

  // ---------- before: everyone shows online ----------
  let baselineMs = -1;
  for (const started = performance.now(); performance.now() - started < 60_000; await sleep(500)) {
    const seen = await look([...watched, ...leavers]);
    if (all(seen, [...watched, ...leavers], 'online', 'presence') && all(seen, [...watched, ...leavers], 'online', 'profile')) {
      baselineMs = Math.round(performance.now() - started);
      break;
    }
  }
  log(`baseline presence ${baselineMs < 0 ? 'NOT online' : `online after ${baselineMs} ms`}`);

  // ---------- the run: sends, Redis stopped and started ----------
  const sendLog = newSendLog();
  const outage: { during?: Record<string, number>; restartedAt?: number } = {};
  let ackedBeforeReturn = 0;
  const timeline = (async () => {
    await sleep(BEFORE_S * 1000);
    await redis.stop();
    log('redis stopped');
    await sleep(Math.min(2000, OUTAGE_S * 500));
    for (const client of clients) if (leaverIds.has(client.user.id)) client.close();
    // What others see meanwhile: /presence paused (503), profiles the last known status.
    const seen = await look(watched);
    outage.during = {
      presence503: [...seen.values()].filter((s) => s.presence === 'unavailable').length,
      profilesOnline: [...seen.values()].filter((s) => s.profile === 'online').length,
      watched: watched.length,
    };
    await sleep(Math.max(0, OUTAGE_S * 1000 - Math.min(2000, OUTAGE_S * 500)));
    ackedBeforeReturn = sendLog.acknowledged.length;
    await redis.start();
    outage.restartedAt = performance.now();
    log('redis started');
  })();
  const sending = sendPaced({ api, rooms, total: (BEFORE_S + OUTAGE_S + AFTER_S) * RATE, rate: RATE, tag: 'rr', retryForMs: 30_000 }, sendLog);
  await timeline;
  const returnedAt = outage.restartedAt!;

  const since = (): number => Math.round(performance.now() - returnedAt);

  // ---------- the gap: what was acknowledged before Redis returned, at every client ----------
  const beforeReturn = sendLog.acknowledged.slice(0, ackedBeforeReturn);
  const gap = { missingAt5s: -1, gapClosedMs: -1 };
  const watchGap = async (): Promise<void> => {
    while (since() < GAP_LIMIT_MS + 60_000) {
      const missing = missingPairs(stayers, beforeReturn);
      if (gap.missingAt5s < 0 && since() >= GAP_LIMIT_MS) gap.missingAt5s = missing;
      if (missing === 0) {
        gap.gapClosedMs = since();
        if (gap.missingAt5s < 0) gap.missingAt5s = 0;
        return;
      }
      await sleep(100);
    }
  };

  // ---------- presence after the return, watched at the same time ----------
  const presence = { onlineAgainMs: { presence: -1, profile: -1 }, falseOffline: 0, leaversOfflineMs: { presence: -1, profile: -1 }, watchedS: 0 };
  const watchPresence = async (): Promise<void> => {
    for (;;) {
      const seen = await look([...watched, ...leavers]);
      for (const where of ['presence', 'profile'] as const) {
        if (presence.onlineAgainMs[where] < 0 && all(seen, watched, 'online', where)) presence.onlineAgainMs[where] = since();
        if (presence.onlineAgainMs[where] >= 0) presence.falseOffline += watched.filter((u) => seen.get(u.id)?.[where] === 'offline').length;
        if (presence.leaversOfflineMs[where] < 0 && all(seen, leavers, 'offline', where)) presence.leaversOfflineMs[where] = since();
      }
      const leftAt = Math.max(presence.leaversOfflineMs.presence, presence.leaversOfflineMs.profile);
      const allLeft = presence.leaversOfflineMs.presence >= 0 && presence.leaversOfflineMs.profile >= 0;
      if ((allLeft && since() > leftAt + SWEEP_S * 1000) || since() > PRESENCE_WATCH_S * 1000) break;
      await sleep(500);
    }
    presence.watchedS = Math.round(since() / 1000);
  };
  await Promise.all([watchGap().then(() => log(`gap closed ${gap.gapClosedMs} ms after redis returned`)), watchPresence()]);
  await sending;
  log(`sent ${sendLog.attempted}: ${sendLog.acknowledged.length} acknowledged`);

  const drainMs = await drain(stayers, sendLog, 60_000);
  const books = await account(api, rooms, stayers, sendLog);
  const sockets = totals(stayers);
  const result = {
    settings: { rooms: ROOMS, roomSize: ROOM_SIZE, rate: RATE, beforeS: BEFORE_S, outageS: OUTAGE_S, afterS: AFTER_S, leavers: LEAVERS },
    sends: sendTotals(sendLog),
    acknowledgedBeforeReturn: ackedBeforeReturn,
    ...gap,
    ...books,
    clientDrainMs: drainMs,
    sockets,
    socketsToldToResync: stayers.filter((c) => c.resyncFrames > 0).length,
    presence: { baselineMs, duringOutage: outage.during, ...presence, watched: watched.length, leavers: leavers.length },
  };
  const presenceRecovered =
    presence.onlineAgainMs.presence >= 0 &&
    presence.onlineAgainMs.profile >= 0 &&
    presence.falseOffline === 0 &&
    presence.leaversOfflineMs.presence >= 0 &&
    presence.leaversOfflineMs.profile >= 0;
  const pass = baselineMs >= 0 && gap.missingAt5s === 0 && books.missing === 0 && books.storedTwice === 0 && books.acknowledgedNotStored === 0 && presenceRecovered;
  return { pass, result };
});
