/**
 * Redis outage under load (issue 15). Starts Parley distributed on its own ports (gateway 18400,
 * accounts 18401, groups 18402, messages 18403, notifications 18404 and 18405) with a private
 * redis-server on 16390, a fresh PostgreSQL database per service and a RabbitMQ vhost of its own,
 * then: CLIENTS sockets in rooms of ROOM_SIZE (one group per room, sockets spread over both
 * notifications instances), one sender per room, RATE messages/s in total through the gateway's
 * REST API. Redis is stopped for OUTAGE_S seconds mid-run and started again.
 *
 * Clients behave as docs/realtime.md asks: each remembers its room's last `seq`, and on a
 * `resync` frame (or a reconnect) fetches the gap with `?after=`; everything is de-duplicated
 * by message id. Counted: sends refused (anything but 201), and (message, member) pairs still
 * missing after the drain.
 *
 *   npx tsx bench/redis-outage/run.ts      (CLIENTS, ROOM_SIZE, RATE, BEFORE_S, OUTAGE_S, AFTER_S)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import WebSocket from 'ws';
import { startPrivateRedis } from '@parley/kit/testing';
import { inParallel } from '../lib/parallel.ts';
import { freshDatabase, root, servers } from '../lib/processes.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const CLIENTS = env('CLIENTS', 1000);
const ROOM_SIZE = env('ROOM_SIZE', 10);
const RATE = env('RATE', 50);
const BEFORE_S = env('BEFORE_S', 15);
const OUTAGE_S = env('OUTAGE_S', 10);
const AFTER_S = env('AFTER_S', 15);
const DRAIN_S = env('DRAIN_S', 60);
const PASSWORD = 'bench-password-1';

const PORTS = { gateway: 18400, accounts: 18401, groups: 18402, messages: 18403, notifA: 18404, notifB: 18405, accountsGrpc: 18411, groupsGrpc: 18412, messagesGrpc: 18413, redis: 16390 };
const API = `http://127.0.0.1:${PORTS.gateway}`;
const VHOST = 'bench_redis_outage';
const DB = { accounts: 'bench_ro_accounts', groups: 'bench_ro_groups', messages: 'bench_ro_messages', notifications: 'bench_ro_notifications' };

const log = (...args: unknown[]): void => console.error(new Date().toISOString().slice(11, 19), ...args);
const logDir = mkdtempSync(join(tmpdir(), 'parley-redis-outage-'));

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

async function start(name: string, entry: string, vars: Record<string, string>, port: number): Promise<Proc> {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', LOG_LEVEL: 'info', ...vars },
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see ${logDir}/${name}.log`);
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready in 90 s`);
    await sleep(250);
  }
  return { name, child, exited };
}

async function call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** Set-up calls retry what a polite client retries; the measured sends never do. */
async function setupCall(method: string, path: string, token?: string, body?: unknown): Promise<any> {
  for (let attempt = 0; ; attempt += 1) {
    const res = await call(method, path, token, body);
    if (res.status < 300) return res.json;
    if (attempt >= 20) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    await sleep(250 * (attempt + 1));
  }
}

interface User {
  id: string;
  token: string;
  room: number;
}

/** One client socket: live frames plus gap fetches on resync or reconnect, de-duplicated by id. */
class Client {
  readonly seen = new Set<string>();
  lastSeq = 0;
  resyncFrames = 0;
  reconnects = 0;
  duplicateFrames = 0;
  failedFetches = 0;
  private socket: WebSocket | undefined;
  private closing = false;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    readonly user: User,
    readonly conversationId: string,
    private readonly port: number,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${this.port}/ws`);
      this.socket = socket;
      let ready = false;
      socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.user.token })));
      socket.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8'));
        if (frame.type === 'ready' && !ready) {
          ready = true;
          resolve();
        } else if (frame.type === 'message.created') {
          this.keep(frame.data.message);
        } else if (frame.type === 'resync') {
          this.resyncFrames += 1;
          this.resync();
        }
      });
      socket.on('error', (error) => {
        if (!ready) reject(error);
      });
      socket.on('close', () => {
        if (!ready) reject(new Error('closed before ready'));
        else if (!this.closing) void this.reconnect();
      });
    });
  }

  private async reconnect(): Promise<void> {
    this.reconnects += 1;
    for (;;) {
      await sleep(500);
      try {
        await this.open();
        this.resync(); // after any reconnect, as after a resync frame
        return;
      } catch {
        // try again
      }
    }
  }

  private keep(message: { id: string; seq: number; conversationId: string }): void {
    if (message.conversationId !== this.conversationId) return;
    if (this.seen.has(message.id)) this.duplicateFrames += 1;
    this.seen.add(message.id);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
  }

  resync(): void {
    this.syncing = this.syncing.then(async () => {
      let after: string | null = String(this.lastSeq);
      while (after !== null) {
        const page: { status: number; json: any } | undefined = await call('GET', `/api/v1/conversations/${this.conversationId}/messages?after=${after}`, this.user.token).catch(() => undefined);
        if (page?.status !== 200) {
          this.failedFetches += 1;
          return;
        }
        for (const message of page.json.items) this.keep(message);
        after = page.json.nextCursor;
      }
    });
  }

  close(): void {
    this.closing = true;
    this.socket?.terminate();
  }
}

async function dropDatabases(names: readonly string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: servers.postgres });
  await admin.connect();
  for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

const procs: Proc[] = [];
const redis = await startPrivateRedis({ port: PORTS.redis });
let exitCode = 0;
try {
  execFileSync('rabbitmqctl', ['delete_vhost', VHOST], { stdio: 'ignore' });
} catch {
  // not there yet
}
try {
  execFileSync('rabbitmqctl', ['add_vhost', VHOST], { stdio: 'ignore' });
  execFileSync('rabbitmqctl', ['set_permissions', '-p', VHOST, 'guest', '.*', '.*', '.*'], { stdio: 'ignore' });
  const common = {
    REDIS_URL: redis.url,
    AMQP_URL: `amqp://guest:guest@127.0.0.1:5672/${VHOST}`,
    DATA_DIR: logDir,
    RATE_LIMIT_PER_MINUTE: '1000000000',
    ACCOUNTS_URL: `http://127.0.0.1:${PORTS.accounts}`,
    ACCOUNTS_GRPC_ADDRESS: `127.0.0.1:${PORTS.accountsGrpc}`,
    GROUPS_GRPC_ADDRESS: `127.0.0.1:${PORTS.groupsGrpc}`,
  };
  const db = {
    accounts: await freshDatabase(DB.accounts),
    groups: await freshDatabase(DB.groups),
    messages: await freshDatabase(DB.messages),
    notifications: await freshDatabase(DB.notifications),
  };
  procs.push(
    await start('accounts', 'services/accounts/src/main.ts', { ...common, ACCOUNTS_DATABASE_URL: db.accounts, PORT: String(PORTS.accounts), GRPC_PORT: String(PORTS.accountsGrpc), ACCOUNTS_RUN_WORKER: 'true', AUTH_MAX_PER_IP: '100000000', ACCESS_TOKEN_TTL_SECONDS: '7200' }, PORTS.accounts),
    await start('groups', 'services/groups/src/main.ts', { ...common, GROUPS_DATABASE_URL: db.groups, PORT: String(PORTS.groups), GRPC_PORT: String(PORTS.groupsGrpc) }, PORTS.groups),
    await start('messages', 'services/messages/src/main.ts', { ...common, MESSAGES_DATABASE_URL: db.messages, PORT: String(PORTS.messages), GRPC_PORT: String(PORTS.messagesGrpc), SEND_RATE_PER_MINUTE: '1000000000' }, PORTS.messages),
  );
  const notifEnv = { ...common, NOTIFICATIONS_DATABASE_URL: db.notifications, WS_AUTH_TIMEOUT_MS: '60000', INSTANCE_COUNT: '2' };
  procs.push(await start('notifications-a', 'services/notifications/src/main.ts', { ...notifEnv, PORT: String(PORTS.notifA) }, PORTS.notifA));
  procs.push(await start('notifications-b', 'services/notifications/src/main.ts', { ...notifEnv, PORT: String(PORTS.notifB) }, PORTS.notifB));
  procs.push(
    await start('gateway', 'services/gateway/src/main.ts', {
      ...common,
      PORT: String(PORTS.gateway),
      HOST: '127.0.0.1',
      GROUPS_URL: `http://127.0.0.1:${PORTS.groups}`,
      MESSAGES_URL: `http://127.0.0.1:${PORTS.messages}`,
      NOTIFICATIONS_URL: `http://127.0.0.1:${PORTS.notifA}`,
    }, PORTS.gateway),
  );
  log(`services up; logs in ${logDir}`);

  // ---------- set-up: users, one group per room, sockets ----------
  const users: User[] = await inParallel(Array.from({ length: CLIENTS }, (_, i) => i), 6, async (i) => {
    const username = `ro_u${String(i).padStart(5, '0')}`;
    const body = await setupCall('POST', '/api/v1/auth/register', undefined, { username, email: `${username}@example.test`, password: PASSWORD });
    return { id: body.user.id, token: body.accessToken, room: Math.floor(i / ROOM_SIZE) };
  });
  log(`${CLIENTS} users registered`);
  const rooms = Array.from({ length: Math.ceil(CLIENTS / ROOM_SIZE) }, (_, r) => users.slice(r * ROOM_SIZE, (r + 1) * ROOM_SIZE));
  const roomIds = await inParallel(rooms, 8, async (members, r) => {
    const group = await setupCall('POST', '/api/v1/groups', members[0]!.token, { name: `room ${r}`, memberIds: members.slice(1).map((m) => m.id) });
    await setupCall('GET', `/api/v1/conversations/${group.id}`, members[0]!.token);
    return group.id as string;
  });
  const clients = users.map((user, i) => new Client(user, roomIds[user.room]!, i % 2 === 0 ? PORTS.notifA : PORTS.notifB));
  // Set-up retries a refused socket (an overloaded machine answers 1013 now and then).
  await inParallel(clients, 50, async (client) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.open();
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        await sleep(500 * attempt);
      }
    }
  });
  log(`${clients.length} sockets ready in ${rooms.length} rooms`);

  // ---------- the run: sends at RATE, Redis down OUTAGE_S mid-run ----------
  const accepted: { id: string; room: number }[] = [];
  const refused: Record<string, number> = {};
  let attempted = 0;
  const inFlight = new Set<Promise<void>>();
  const sendOne = async (room: number, n: number): Promise<void> => {
    attempted += 1;
    const sender = rooms[room]![0]!;
    try {
      const res = await call('POST', `/api/v1/conversations/${roomIds[room]}/messages`, sender.token, { body: `m ${n}`, clientMessageId: `ro-${n}` });
      if (res.status === 201) accepted.push({ id: res.json.id, room });
      else refused[res.status] = (refused[res.status] ?? 0) + 1;
    } catch {
      refused.network = (refused.network ?? 0) + 1;
    }
  };
  const totalS = BEFORE_S + OUTAGE_S + AFTER_S;
  const startedAt = performance.now();
  const outage: { stoppedAt?: number; startedAt?: number; readyzDuring?: unknown } = {};
  const timeline = (async () => {
    await sleep(BEFORE_S * 1000);
    await redis.stop();
    outage.stoppedAt = (performance.now() - startedAt) / 1000;
    log('redis stopped');
    await sleep(Math.min(3000, (OUTAGE_S * 1000) / 2));
    outage.readyzDuring = await call('GET', '/readyz').then((r) => ({ status: r.status, body: r.json.status }));
    await sleep(OUTAGE_S * 1000 - Math.min(3000, (OUTAGE_S * 1000) / 2));
    await redis.start();
    outage.startedAt = (performance.now() - startedAt) / 1000;
    log('redis started');
  })();
  for (let n = 0; n < totalS * RATE; n += 1) {
    const due = startedAt + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sending = sendOne(n % rooms.length, n).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
  await timeline;
  log(`sent ${attempted}: ${accepted.length} accepted, refused ${JSON.stringify(refused)}`);

  // ---------- drain: until every member has every accepted message of its room ----------
  const missingNow = (): number => {
    let missing = 0;
    for (const message of accepted) for (const client of clients) if (client.user.room === message.room && !client.seen.has(message.id)) missing += 1;
    return missing;
  };
  const drainStart = performance.now();
  let missing = missingNow();
  while (missing > 0 && performance.now() - drainStart < DRAIN_S * 1000) {
    await sleep(500);
    missing = missingNow();
  }
  const results = {
    date: new Date().toISOString(),
    settings: { clients: CLIENTS, roomSize: ROOM_SIZE, rate: RATE, beforeS: BEFORE_S, outageS: OUTAGE_S, afterS: AFTER_S },
    outage,
    sendsAttempted: attempted,
    sendsAccepted: accepted.length,
    sendsRefused: Object.values(refused).reduce((a, b) => a + b, 0),
    refusedByStatus: refused,
    expectedDeliveries: accepted.length * ROOM_SIZE,
    missingAfterResync: missing,
    drainSeconds: Math.round((performance.now() - drainStart) / 100) / 10,
    socketsToldToResync: clients.filter((c) => c.resyncFrames > 0).length,
    reconnects: clients.reduce((sum, c) => sum + c.reconnects, 0),
    duplicateFramesBeforeDedup: clients.reduce((sum, c) => sum + c.duplicateFrames, 0),
    failedGapFetches: clients.reduce((sum, c) => sum + c.failedFetches, 0),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
  console.log(JSON.stringify(results, null, 2));
  if (results.sendsRefused > 0 || missing > 0) exitCode = 1;
  for (const client of clients) client.close();
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  for (const proc of procs.reverse()) {
    proc.child.kill('SIGTERM');
    await Promise.race([proc.exited, sleep(20_000)]);
  }
  await redis.close();
  await dropDatabases(Object.values(DB)).catch((error: unknown) => log('dropping the databases failed', error));
  try {
    execFileSync('rabbitmqctl', ['delete_vhost', VHOST], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  log(`logs kept in ${logDir}`);
}
process.exit(exitCode);
