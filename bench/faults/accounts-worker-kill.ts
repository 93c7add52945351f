/**
 * Fault 5 (issue 12): the accounts worker (its own process, `worker-main.ts`) killed with
 * SIGKILL mid-job KILLS times, started again each time.
 *
 * Load: USERS users make RATE requests/s in all to accounts, each one job-producing action:
 * every LOGIN_EVERY-th a login (jobs `user.last_login` and `activity.record`, the activity's
 * device is the request's User-Agent, unique per login), the others alternately a profile
 * update and a status change (`activity.record` each). Requests to accounts also queue
 * `user.last_seen` jobs (throttled per user). Each kill waits until the worker has a job in
 * BullMQ's active list; the jobs the dead process had taken and not finished (`interrupted`)
 * are what BullMQ's stalled-job check hands to the next process. A kill that interrupted
 * nothing (the job ended between the look and the signal) is not counted: kills go on until
 * KILLS of them were mid-job (at most 3 × KILLS kills).
 *
 * Judged once the queue is empty again, in the accounts database: every acknowledged action's
 * activity row is there exactly once (per user and kind, and per login by its unique device),
 * every user's last_login_at is at least the start of their last login, and no job ended in
 * BullMQ's failed set.
 *
 *   npx tsx bench/faults/accounts-worker-kill.ts     (KILLS, USERS, RATE, LOGIN_EVERY, BETWEEN_KILLS_S, SETTLE_S)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from '../lib/api.ts';
import { env, runFault } from '../lib/fault-run.ts';
import { paced } from '../lib/paced.ts';
import { log, queryDatabase } from '../lib/platform.ts';
import { redisCommand } from '../lib/redis-cli.ts';
import { PASSWORD } from '../lib/rooms.ts';

const KILLS = env('KILLS', 50);
const USERS = env('USERS', 100);
const RATE = env('RATE', 20);
const LOGIN_EVERY = env('LOGIN_EVERY', 5);
const BETWEEN_KILLS_S = env('BETWEEN_KILLS_S', 2);
/** How long the queue may take to empty after the last restart (a stalled job waits out its lock, 30 s, and a check, up to 30 s). */
const SETTLE_S = env('SETTLE_S', 240);
const ROOM_SIZE = 10;
const QUEUE = 'bull:accounts';

type Kind = 'login' | 'profile_updated' | 'status_changed';

await runFault(
  { name: 'worker_kill', rooms: Math.ceil(USERS / ROOM_SIZE), roomSize: ROOM_SIZE, sockets: false, platform: { separateWorker: true } },
  async ({ platform, redis, rooms }) => {
    const worker = platform.proc('accounts-worker');
    const users = rooms.users;
    const redisCli = (...args: string[]): Promise<string[]> => redisCommand(redis.url, ...args);
    const activeJobs = (): Promise<string[]> => redisCli('LRANGE', `${QUEUE}:active`, '0', '-1');

    // ---------- load: job-producing actions, each remembered when acknowledged ----------
    // login 1: registration logs in.
    const acknowledged = new Map<string, Record<Kind, number>>(users.map((u) => [u.id, { login: 1, profile_updated: 0, status_changed: 0 }]));
    const loginDevices: string[] = [];
    const lastLoginSentAt = new Map<string, number>();
    const failures: Record<string, number> = {};
    let actions = 0;
    const act = async (n: number): Promise<void> => {
      const user = users[n % users.length]!;
      const kind: Kind = n % LOGIN_EVERY === 0 ? 'login' : n % 2 === 0 ? 'profile_updated' : 'status_changed';
      const device = `wk-login-${n}`;
      const sentAt = Date.now();
      actions += 1;
      const answer = await (
        kind === 'login'
          ? call(platform.api, 'POST', '/api/v1/auth/login', undefined, { login: user.username, password: PASSWORD }, { 'user-agent': device })
          : kind === 'profile_updated'
            ? call(platform.api, 'PATCH', '/api/v1/users/me', user.token, { displayName: `user ${n}` })
            : call(platform.api, 'PUT', '/api/v1/users/me/status', user.token, { status: n % 4 === 1 ? 'dnd' : 'online' })
      ).catch(() => ({ status: 0 }));
      if (answer.status !== 200) {
        failures[String(answer.status)] = (failures[String(answer.status)] ?? 0) + 1;
        return;
      }
      acknowledged.get(user.id)![kind] += 1;
      if (kind === 'login') {
        loginDevices.push(device);
        lastLoginSentAt.set(user.id, Math.max(sentAt, lastLoginSentAt.get(user.id) ?? 0));
      }
    };

    // ---------- kills: each once the worker is busy, then a restart ----------
    /** Waits (up to `limitMs`) until a job is active that earlier kills did not leave there. */
    const busy = async (leftActive: ReadonlySet<string>, limitMs: number): Promise<void> => {
      const deadline = Date.now() + limitMs;
      while (Date.now() < deadline && (await activeJobs()).every((id) => leftActive.has(id))) await sleep(10);
    };
    let killing = true;
    const downMs: number[] = [];
    const interruptedByKill: number[] = [];
    const killer = (async () => {
      let leftActive = new Set<string>();
      for (let midJob = 0; midJob < KILLS && downMs.length < 3 * KILLS;) {
        await sleep(BETWEEN_KILLS_S * 1000 * (0.5 + Math.random()));
        await busy(leftActive, 5000);
        await worker.kill('SIGKILL');
        const killedAt = performance.now();
        // Still "active" after the death: taken by the dead process and not finished (minus
        // what earlier kills left there and BullMQ has not moved back yet).
        const active = new Set(await activeJobs());
        interruptedByKill.push([...active].filter((id) => !leftActive.has(id)).length);
        if (interruptedByKill.at(-1)! > 0) midJob += 1;
        leftActive = active;
        await worker.start();
        downMs.push(Math.round(performance.now() - killedAt));
        log(`kill ${downMs.length} (${midJob}/${KILLS} mid-job): ${interruptedByKill.at(-1)} jobs interrupted, down ${downMs.at(-1)} ms`);
      }
      killing = false;
    })();
    await paced(RATE, Number.MAX_SAFE_INTEGER, act, () => !killing);
    await killer;
    const loadEndedAt = performance.now();
    log(`${actions} actions, ${loginDevices.length} logins acknowledged; waiting for the queue to empty`);

    // ---------- settle: the queue empty (stalled jobs recovered) and the effects all there ----------
    const queued = async (): Promise<number> => {
      const [wait, active, prioritized] = await Promise.all([redisCli('LLEN', `${QUEUE}:wait`), activeJobs(), redisCli('ZCARD', `${QUEUE}:prioritized`)]);
      return Number(wait[0]) + active.length + Number(prioritized[0]);
    };
    let settleMs = -1;
    while (performance.now() - loadEndedAt < SETTLE_S * 1000) {
      if ((await queued()) === 0) {
        settleMs = Math.round(performance.now() - loadEndedAt);
        break;
      }
      await sleep(500);
    }

    // ---------- the books: the accounts database against what was acknowledged ----------
    const db = platform.databases.accounts;
    const counts = await queryDatabase<{ user_id: string; kind: Kind; n: number }>(db, 'SELECT user_id, kind, count(*)::int AS n FROM activity GROUP BY 1, 2');
    const found = new Map(counts.map((r) => [`${r.user_id}/${r.kind}`, r.n]));
    let missing = 0;
    let extra = 0;
    for (const [userId, kinds] of acknowledged) {
      for (const [kind, expected] of Object.entries(kinds)) {
        const got = found.get(`${userId}/${kind}`) ?? 0;
        missing += Math.max(0, expected - got);
        extra += Math.max(0, got - expected);
      }
    }
    const devices = await queryDatabase<{ device: string; n: number }>(
      db,
      `SELECT detail->>'device' AS device, count(*)::int AS n FROM activity WHERE kind = 'login' AND detail->>'device' LIKE 'wk-login-%' GROUP BY 1`,
    );
    const byDevice = new Map(devices.map((r) => [r.device, r.n]));
    const lastLogins = await queryDatabase<{ id: string; last_login_at: Date | null }>(db, 'SELECT id, last_login_at FROM users');
    const lastLoginBehind = lastLogins.filter((u) => lastLoginSentAt.has(u.id) && (u.last_login_at?.getTime() ?? 0) < lastLoginSentAt.get(u.id)!).length;
    const failedJobs = Number((await redisCli('ZCARD', `${QUEUE}:failed`))[0]);
    const failedReasons: Record<string, number> = {};
    for (const id of await redisCli('ZRANGE', `${QUEUE}:failed`, '0', '-1')) {
      const [reason = '?'] = await redisCli('HGET', `${QUEUE}:${id}`, 'failedReason');
      failedReasons[reason] = (failedReasons[reason] ?? 0) + 1;
    }
    const workerLog = readFileSync(join(platform.logDir, 'accounts-worker.log'), 'utf8');
    const result = {
      settings: { kills: KILLS, users: USERS, rate: RATE, loginEvery: LOGIN_EVERY, betweenKillsS: BETWEEN_KILLS_S },
      kills: downMs.length,
      killsMidJob: interruptedByKill.filter((n) => n > 0).length,
      jobsInterrupted: interruptedByKill.reduce((a, b) => a + b, 0),
      downMsEach: { min: Math.min(...downMs), max: Math.max(...downMs), mean: Math.round(downMs.reduce((a, b) => a + b, 0) / downMs.length) },
      actions: { attempted: actions, acknowledged: actions - Object.values(failures).reduce((a, b) => a + b, 0), failures },
      activityExpected: [...acknowledged.values()].reduce((sum, kinds) => sum + kinds.login + kinds.profile_updated + kinds.status_changed, 0),
      activityFound: counts.reduce((sum, r) => sum + r.n, 0),
      activityMissing: missing,
      activityExtra: extra,
      loginsMissing: loginDevices.filter((d) => !byDevice.has(d)).length,
      loginsTwice: devices.filter((r) => r.n > 1).length,
      lastLoginBehind,
      failedJobs,
      failedReasons,
      jobFailuresLogged: workerLog.split('\n').filter((line) => line.includes('"job failed')).length,
      queueEmptyAfterMs: settleMs,
    };
    const pass =
      result.killsMidJob >= KILLS &&
      settleMs >= 0 &&
      missing === 0 &&
      extra === 0 &&
      result.loginsMissing === 0 &&
      result.loginsTwice === 0 &&
      lastLoginBehind === 0 &&
      failedJobs === 0;
    return { pass, result };
  },
);
