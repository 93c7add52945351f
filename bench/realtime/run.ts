/**
 * Real-time load generator (issue 4): N WebSockets held as real users in groups, messages sent
 * through the public messages REST API at set rates, end-to-end latency send → receipt by every
 * recipient socket, deliveries/s, lost and duplicated frames, server memory per idle socket.
 *
 *   npm run bench:realtime       (writes bench/results/realtime.json and prints a table)
 *
 * Distributed mode: accounts, groups, messages and two notifications instances, each its own
 * process, on real PostgreSQL (fresh databases per run), Redis and RabbitMQ. Loopback only;
 * sockets leave from several 127.0.0.x source addresses. Bounded in time (BENCH_MAX_SECONDS);
 * every child is killed at the end, also on error or signal.
 *
 * Knobs (env): BENCH_USERS (1000), BENCH_SOCKETS_PER_USER (10), BENCH_GROUP_SIZE (10 users; e.g. 100
 * for 1,000 deliveries per message, results then in realtime-group100.json),
 * BENCH_RATES (msg/s, "50,100,200,300,400,600"), BENCH_STEP_SECONDS (10), BENCH_LOSS_TIMEOUT_MS
 * (5000), BENCH_ADDRESSES (8), BENCH_MAX_SECONDS (1200), BENCH_HTTP_CONNECTIONS (64),
 * BENCH_STOP_P99_MS (100: stop
 * the ramp after a step above it), BENCH_CPU_PROFILE=1 (a --cpu-prof of notifications instance A, summarised).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { inParallel } from '../lib/parallel.ts';
import { freshDatabase, percentile, root, servers } from '../lib/processes.ts';

const USERS = Number(process.env.BENCH_USERS ?? 1000);
const SOCKETS_PER_USER = Number(process.env.BENCH_SOCKETS_PER_USER ?? 10);
const GROUP_SIZE = Number(process.env.BENCH_GROUP_SIZE ?? 10);
const RATES = (process.env.BENCH_RATES ?? '50,100,200,300,400,600').split(',').map(Number);
const STEP_S = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const LOSS_TIMEOUT_MS = Number(process.env.BENCH_LOSS_TIMEOUT_MS ?? 5000);
const ADDRESSES = Number(process.env.BENCH_ADDRESSES ?? 8);
const MAX_S = Number(process.env.BENCH_MAX_SECONDS ?? 1200);
const HTTP_CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 64);
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE === '1';
const P99_TARGET_MS = 100;
/** The ramp stops after a step whose p99 passes this (default: the target), or with loss or send errors. */
const STOP_P99_MS = Number(process.env.BENCH_STOP_P99_MS ?? P99_TARGET_MS);
// One results file per fan-out, so a run with larger groups does not overwrite the default one.
const OUT = process.env.BENCH_OUT ?? `${root}bench/results/${GROUP_SIZE === 10 ? 'realtime' : `realtime-group${GROUP_SIZE}`}.json`;

const PORTS = {
  accounts: 16001,
  accountsGrpc: 16101,
  groups: 16002,
  groupsGrpc: 16102,
  messages: 16003,
  messagesGrpc: 16103,
  notifA: 16004,
  notifB: 16014,
  notifAMetrics: 16904,
  notifBMetrics: 16914,
};
const URLS = {
  accounts: `http://127.0.0.1:${PORTS.accounts}`,
  groups: `http://127.0.0.1:${PORTS.groups}`,
  messages: `http://127.0.0.1:${PORTS.messages}`,
};
const DB = {
  accounts: 'parley_bench_rt_accounts',
  groups: 'parley_bench_rt_groups',
  messages: 'parley_bench_rt_messages',
  notifications: 'parley_bench_rt_notifications',
};
const PASSWORD = 'bench-password-1';
const startedAt = performance.now();
const log = (...args: unknown[]) => console.log(`[rt ${((performance.now() - startedAt) / 1000).toFixed(1)}s]`, ...args);

// ---------------------------------------------------------------- processes
interface Child {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}
const children: Child[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-rt-'));
const profDir = join(dataDir, 'prof');

let ulimitNote = '';
async function start(name: string, entry: string, env: Record<string, string>, readyUrl: string, nodeOptions = ''): Promise<Child> {
  // Raise the open-files limit for the child if the hard limit allows; fall back to what we have.
  const cmd = `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec "${process.execPath}" ${nodeOptions} --import tsx ${entry}`;
  const child = spawn('bash', ['-c', cmd], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const entryRec = { name, child, exited };
  children.push(entryRec);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready in 90 s`);
    await sleep(250);
  }
  try {
    const limits = readFileSync(`/proc/${child.pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    ulimitNote = limits?.replace(/\s+/g, ' ').trim() ?? '';
  } catch {
    // gone
  }
  return entryRec;
}

let stopping: Promise<void> | undefined;
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const c of [...children].reverse()) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGTERM');
    }
    await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(10_000)]);
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping children`);
    void stopAll().then(() => process.exit(130));
  });
}
const hardStop = setTimeout(() => {
  log(`time box of ${MAX_S} s reached: stopping`);
  void stopAll().then(() => process.exit(2));
}, MAX_S * 1000);
hardStop.unref();

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------- /proc helpers
const TICK = 100; // CLK_TCK
function cpuTicks(pid: number): number {
  const [user, system] = cpuSplit(pid);
  return user + system;
}
/** [utime, stime] in ticks: system time is mostly the kernel's socket writes (and, on loopback, the receive path too). */
function cpuSplit(pid: number): [number, number] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[11]), Number(fields[12])];
  } catch {
    return [0, 0];
  }
}
/** Share of system time in the CPU used between two cpuSplit readings of several processes, in %. */
function systemShare(before: [number, number][], after: [number, number][]): number {
  let user = 0;
  let system = 0;
  after.forEach(([u, s], i) => {
    user += u - before[i]![0];
    system += s - before[i]![1];
  });
  return user + system === 0 ? 0 : Math.round((system / (user + system)) * 1000) / 10;
}
function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
/** CPU ticks of every process on the machine, grouped by command name. */
function ticksByComm(): Map<number, { comm: string; ticks: number }> {
  const out = new Map<number, { comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // process ended
    }
  }
  return out;
}
function totalCpuTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3]! + line[4]!;
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------- HTTP
async function call<T = any>(method: string, url: string, options: { token?: string; body?: unknown; ok?: number[] } = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    if ((options.ok ?? [200, 201]).includes(res.status)) return (text ? JSON.parse(text) : undefined) as T;
    if ((res.status === 429 || res.status >= 500) && attempt < 5) {
      await sleep(500 * (attempt + 1));
      continue;
    }
    throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------- run
interface User {
  id: string;
  token: string;
  group: number;
}
interface Sock {
  ws: WebSocket;
  group: number;
  /** index among the sockets of its group */
  slot: number;
  ready: boolean;
  closedCode?: number;
}

const results: any = {
  date: new Date().toISOString(),
  machine: '2 cores, load generator on the same machine; see loadAverage',
  settings: {
    users: USERS,
    socketsPerUser: SOCKETS_PER_USER,
    groupSizeUsers: GROUP_SIZE,
    rates: RATES,
    stopP99Ms: STOP_P99_MS,
    stepSeconds: STEP_S,
    lossTimeoutMs: LOSS_TIMEOUT_MS,
    sourceAddresses: ADDRESSES,
    httpConnections: HTTP_CONNECTIONS,
  },
  loadAverage: {} as Record<string, string>,
};
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();
results.loadAverage.start = loadavg();

let exitCode = 0;
try {
  // METRICS_PORT 0: each process's metrics on a free port (the notifications instances', read below, on fixed ones).
  const common = { REDIS_URL: servers.redis, AMQP_URL: servers.amqp, DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '1000000000', METRICS_PORT: '0' };
  const dbUrls = {
    accounts: await freshDatabase(DB.accounts),
    groups: await freshDatabase(DB.groups),
    messages: await freshDatabase(DB.messages),
    notifications: await freshDatabase(DB.notifications),
  };
  const grpc = { ACCOUNTS_URL: URLS.accounts, ACCOUNTS_GRPC_ADDRESS: `127.0.0.1:${PORTS.accountsGrpc}`, GROUPS_GRPC_ADDRESS: `127.0.0.1:${PORTS.groupsGrpc}` };
  const accounts = await start(
    'accounts',
    'services/accounts/src/main.ts',
    {
      ...common,
      ACCOUNTS_DATABASE_URL: dbUrls.accounts,
      PORT: String(PORTS.accounts),
      GRPC_PORT: String(PORTS.accountsGrpc),
      ACCOUNTS_RUN_WORKER: 'true',
      AUTH_MAX_PER_IP: '100000000',
      LOGIN_MAX_FAILURES: '1000000',
      ACCESS_TOKEN_TTL_SECONDS: '7200',
    },
    `${URLS.accounts}/readyz`,
  );
  const groups = await start(
    'groups',
    'services/groups/src/main.ts',
    { ...common, ...grpc, GROUPS_DATABASE_URL: dbUrls.groups, PORT: String(PORTS.groups), GRPC_PORT: String(PORTS.groupsGrpc) },
    `${URLS.groups}/readyz`,
  );
  const messages = await start(
    'messages',
    'services/messages/src/main.ts',
    {
      ...common,
      ...grpc,
      MESSAGES_DATABASE_URL: dbUrls.messages,
      PORT: String(PORTS.messages),
      GRPC_PORT: String(PORTS.messagesGrpc),
      SEND_RATE_PER_MINUTE: '1000000000',
    },
    `${URLS.messages}/readyz`,
  );
  const notifEnv = {
    ...common,
    ...grpc,
    NOTIFICATIONS_DATABASE_URL: dbUrls.notifications,
    WS_AUTH_TIMEOUT_MS: '60000',
  };
  // Sequentially: both apply the same migrations at start. SIGUSR2 makes them collect garbage (memory samples).
  const gcOnSignal = `--expose-gc --import ${join(root, 'bench/realtime/gc-on-signal.mjs')}`;
  const notifA = await start(
    'notifications-a',
    'services/notifications/src/main.ts',
    { ...notifEnv, PORT: String(PORTS.notifA), METRICS_PORT: String(PORTS.notifAMetrics) },
    `http://127.0.0.1:${PORTS.notifA}/readyz`,
    `${gcOnSignal}${CPU_PROFILE ? ` --cpu-prof --cpu-prof-dir=${profDir}` : ''}`,
  );
  const notifB = await start(
    'notifications-b',
    'services/notifications/src/main.ts',
    { ...notifEnv, PORT: String(PORTS.notifB), METRICS_PORT: String(PORTS.notifBMetrics) },
    `http://127.0.0.1:${PORTS.notifB}/readyz`,
    gcOnSignal,
  );
  results.ulimitChildren = ulimitNote;
  results.ulimitGenerator = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))
    ?.replace(/\s+/g, ' ')
    .trim();
  log('services ready', ulimitNote);

  // Users, in parallel batches (argon2 on 2 cores: ~2 at a time is all the CPU there is).
  let t = performance.now();
  const users: User[] = await inParallel(
    Array.from({ length: USERS }, (_, i) => i),
    6,
    async (i) => {
      const username = `rt_u${String(i).padStart(5, '0')}`;
      const body = await call('POST', `${URLS.accounts}/api/v1/auth/register`, { body: { username, email: `${username}@example.test`, password: PASSWORD } });
      return { id: body.user.id, token: body.accessToken, group: Math.floor(i / GROUP_SIZE) };
    },
  );
  results.setup = { registerSeconds: Math.round((performance.now() - t) / 100) / 10 };
  log(`${USERS} users registered in ${results.setup.registerSeconds} s`);

  // Groups: GROUP_SIZE consecutive users each; the first is the owner.
  const groupCount = Math.ceil(USERS / GROUP_SIZE);
  const groupMembers: User[][] = Array.from({ length: groupCount }, (_, g) => users.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE));
  t = performance.now();
  const groupIds = await inParallel(groupMembers, 8, async (members, g) => {
    const body = await call('POST', `${URLS.groups}/api/v1/groups`, {
      token: members[0]!.token,
      body: { name: `rt group ${g}`, memberIds: members.slice(1).map((m) => m.id) },
    });
    return body.id as string;
  });
  // The conversation appears in messages from group.created, or on first use.
  await inParallel(groupIds, 8, (id, g) => call('GET', `${URLS.messages}/api/v1/conversations/${id}`, { token: groupMembers[g]![0]!.token }));
  results.setup.groupsSeconds = Math.round((performance.now() - t) / 100) / 10;
  log(`${groupCount} groups created in ${results.setup.groupsSeconds} s`);
  await sleep(2000); // let group.created fan-out settle before measuring idle memory

  const notifPids = { a: notifA.child.pid!, b: notifB.child.pid! };
  // Memory samples every 2 s: RSS as the OS sees it, and V8 heap used, whose minimum over the
  // window approximates live data; then a forced full GC (SIGUSR2) for the live figures.
  const sampleMemory = async (seconds: number) => {
    const rss = { a: [] as number[], b: [] as number[], generator: [] as number[] };
    const heap = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i <= seconds / 2; i++) {
      if (i > 0) await sleep(2000);
      rss.a.push(rssKb(notifPids.a));
      rss.b.push(rssKb(notifPids.b));
      rss.generator.push(rssKb(process.pid));
      heap.a.push(await heapUsedKb(PORTS.notifAMetrics));
      heap.b.push(await heapUsedKb(PORTS.notifBMetrics));
    }
    const last = (xs: number[]) => xs[xs.length - 1]!;
    // Then a full GC in each instance, and the live figures after it: the lowest of three rounds,
    // since a reading can land right after a burst of work (a heartbeat sweep, a presence refresh).
    const gcRss = { a: [] as number[], b: [] as number[] };
    const gcHeap = { a: [] as number[], b: [] as number[] };
    for (let round = 0; round < 3; round++) {
      for (const pid of [notifPids.a, notifPids.b]) process.kill(pid, 'SIGUSR2');
      await sleep(1000);
      gcRss.a.push(rssKb(notifPids.a));
      gcRss.b.push(rssKb(notifPids.b));
      gcHeap.a.push(await heapUsedKb(PORTS.notifAMetrics));
      gcHeap.b.push(await heapUsedKb(PORTS.notifBMetrics));
    }
    return {
      rss: { a: last(rss.a), b: last(rss.b), generator: last(rss.generator) },
      heapMin: { a: Math.min(...heap.a), b: Math.min(...heap.b) },
      afterGc: {
        rss: { a: Math.min(...gcRss.a), b: Math.min(...gcRss.b) },
        heap: { a: Math.min(...gcHeap.a), b: Math.min(...gcHeap.b) },
        heapRounds: gcHeap,
      },
    };
  };
  const IDLE_S = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
  const memBefore = await sampleMemory(6);
  const rssBefore = memBefore.rss;
  const heapBefore = memBefore.heapMin;

  // Sockets: user i's SOCKETS_PER_USER sockets alternate between the two instances (a load
  // balancer without stickiness), from 127.0.0.2 … 127.0.0.(1+ADDRESSES).
  const totalSockets = USERS * SOCKETS_PER_USER;
  const socks: Sock[] = new Array(totalSockets);
  // Receipt accounting, per message: send time, group, and a per-slot count (dupes > 1).
  const sendAt: number[] = [];
  const msgGroup: number[] = [];
  const counts: Uint8Array[] = [];
  let currentLatencies: number[] = [];
  let currentStepFirst = 0;
  let currentFanout: number[] = [];
  let unknownFrames = 0;
  const otherFrames: Record<string, number> = {};
  // Receipts are parsed on the raw bytes: find the unique number after MARK without decoding or
  // JSON.parse of the frame (the generator must not be what limits the rate).
  const MARK = Buffer.from('"body":"rt ', 'latin1');
  const CREATED_AT = Buffer.from('"createdAt":"', 'latin1');
  const onFrame = (s: Sock, data: Buffer) => {
    const now = performance.now();
    const at = data.indexOf(MARK);
    if (at < 0) {
      const type = /^\{"type":"([^"]+)"/.exec(data.toString('latin1', 0, 64))?.[1] ?? '?';
      otherFrames[type] = (otherFrames[type] ?? 0) + 1;
      return;
    }
    let n = 0;
    for (let i = at + MARK.length, digit = data[i]! - 48; digit >= 0 && digit <= 9; digit = data[++i]! - 48) n = n * 10 + digit;
    const c = counts[n];
    if (c === undefined || msgGroup[n] !== s.group) {
      unknownFrames++;
      return;
    }
    c[s.slot]!++;
    if (c[s.slot] === 1 && n >= currentStepFirst) {
      currentLatencies.push(now - sendAt[n]!);
      // Commit → socket: the message's createdAt (server clock, same machine, ms) to receipt.
      const ca = data.indexOf(CREATED_AT);
      if (ca >= 0) currentFanout.push(Date.now() - Date.parse(data.toString('latin1', ca + CREATED_AT.length, ca + CREATED_AT.length + 24)));
    }
  };
  t = performance.now();
  let opened = 0;
  const closes: Record<string, number> = {};
  await inParallel(
    Array.from({ length: totalSockets }, (_, k) => k),
    200,
    (k) => {
      const userIndex = Math.floor(k / SOCKETS_PER_USER);
      const device = k % SOCKETS_PER_USER;
      const user = users[userIndex]!;
      const port = k % 2 === 0 ? PORTS.notifA : PORTS.notifB;
      const slot = (userIndex % GROUP_SIZE) * SOCKETS_PER_USER + device;
      return new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { localAddress: `127.0.0.${2 + (k % ADDRESSES)}`, perMessageDeflate: false });
        const s: Sock = { ws, group: user.group, slot, ready: false };
        socks[k] = s;
        const timer = setTimeout(() => reject(new Error(`socket ${k} not ready in 60 s`)), 60_000);
        ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: user.token })));
        ws.on('message', (data: Buffer) => {
          if (!s.ready) {
            if (data.toString().startsWith('{"type":"ready"')) {
              s.ready = true;
              opened++;
              clearTimeout(timer);
              resolve();
            }
            return;
          }
          onFrame(s, data);
        });
        ws.on('close', (code) => {
          s.closedCode = code;
          closes[code] = (closes[code] ?? 0) + 1;
          if (!s.ready) {
            clearTimeout(timer);
            reject(new Error(`socket ${k} closed ${code} before ready`));
          }
        });
        ws.on('error', (err) => {
          if (!s.ready) {
            clearTimeout(timer);
            reject(err);
          }
        });
      });
    },
  );
  results.setup.socketsSeconds = Math.round((performance.now() - t) / 100) / 10;
  log(`${opened} sockets ready in ${results.setup.socketsSeconds} s`);
  const memAfter = await sampleMemory(IDLE_S);
  const rssAfter = memAfter.rss;
  const heapAfter = memAfter.heapMin;
  const perSocketKb = (rssAfter.a - rssBefore.a + (rssAfter.b - rssBefore.b)) / totalSockets;
  const perSocket = (before: { a: number; b: number }, after: { a: number; b: number }) =>
    Math.round(((after.a - before.a + (after.b - before.b)) / totalSockets) * 100) / 100;
  results.idleMemory = {
    sockets: totalSockets,
    held: opened,
    rssBeforeKb: rssBefore,
    rssAfterKb: rssAfter,
    serverKbPerIdleSocket: Math.round(perSocketKb * 100) / 100,
    heapUsedBeforeKb: heapBefore,
    heapUsedAfterKb: heapAfter,
    serverHeapKbPerIdleSocket: Math.round(((heapAfter.a - heapBefore.a + (heapAfter.b - heapBefore.b)) / totalSockets) * 100) / 100,
    generatorKbPerSocket: Math.round(((rssAfter.generator - rssBefore.generator) / totalSockets) * 100) / 100,
    afterGcBefore: memBefore.afterGc,
    afterGcAfter: memAfter.afterGc,
    serverKbPerIdleSocketAfterGc: perSocket(memBefore.afterGc.rss, memAfter.afterGc.rss),
    serverHeapKbPerIdleSocketAfterGc: perSocket(memBefore.afterGc.heap, memAfter.afterGc.heap),
    idleSeconds: IDLE_S,
    note: 'serverKbPerIdleSocket: VmRSS of both notifications processes after all sockets were ready and IDLE_S s idle, minus before opening any, per socket held; serverHeapKbPerIdleSocket: the same with the minimum V8 heap used over each window; *AfterGc: the same, lowest of three readings each right after a full GC forced in both instances (SIGUSR2, bench/realtime/gc-on-signal.mjs) at the end of each window',
  };
  log('idle memory', results.idleMemory);

  // Load steps.
  const http = new Pool(URLS.messages, { connections: HTTP_CONNECTIONS, pipelining: 1 });
  const myPids: Record<string, number> = {
    generator: process.pid,
    accounts: accounts.child.pid!,
    groups: groups.child.pid!,
    messages: messages.child.pid!,
    'notifications-a': notifPids.a,
    'notifications-b': notifPids.b,
  };
  const steps: any[] = [];
  let msgSeq = 0;
  for (const rate of RATES) {
    if (performance.now() - startedAt > (MAX_S - STEP_S - 30) * 1000) {
      log('time box: no more steps');
      break;
    }
    results.loadAverage[`before ${rate}/s`] = loadavg();
    currentLatencies = [];
    currentFanout = [];
    currentStepFirst = msgSeq;
    const first = msgSeq;
    const sendLatencies: number[] = [];
    let sendErrors = 0;
    const sendErrorSamples: string[] = [];
    let inflight = 0;
    let maxInflight = 0;
    const cpu0 = new Map(Object.entries(myPids).map(([k, pid]) => [k, cpuTicks(pid)]));
    const notifSplit0 = [cpuSplit(myPids['notifications-a']!), cpuSplit(myPids['notifications-b']!)];
    const all0 = ticksByComm();
    const sys0 = totalCpuTicks();
    const t0 = performance.now();
    const stepMs = STEP_S * 1000;
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - t0;
        const due = Math.min(Math.floor((rate * Math.min(elapsed, stepMs)) / 1000), Math.round(rate * STEP_S));
        while (sent < due) {
          const n = msgSeq++;
          sent++;
          const g = n % groupCount;
          const members = groupMembers[g]!;
          const sender = members[n % members.length]!;
          msgGroup[n] = g;
          counts[n] = new Uint8Array(members.length * SOCKETS_PER_USER);
          const started = performance.now();
          sendAt[n] = started;
          inflight++;
          if (inflight > maxInflight) maxInflight = inflight;
          http
            .request({
              method: 'POST',
              path: `/api/v1/conversations/${groupIds[g]}/messages`,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
              body: JSON.stringify({ body: `rt ${n} ${Date.now()}`, clientMessageId: `rt-${n}` }),
            })
            .then(async (res) => {
              const text = await res.body.text();
              if (res.statusCode !== 201 && res.statusCode !== 200) {
                sendErrors++;
                counts[n] = undefined as any; // not expected: it was not sent
                if (sendErrorSamples.length < 3) sendErrorSamples.push(`${res.statusCode} ${text.slice(0, 200)}`);
              } else sendLatencies.push(performance.now() - started);
            })
            .catch((err: Error) => {
              sendErrors++;
              counts[n] = undefined as any;
              if (sendErrorSamples.length < 3) sendErrorSamples.push(String(err.message));
            })
            .finally(() => inflight--);
        }
        if (elapsed >= stepMs) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    const sendWindowMs = performance.now() - t0;
    const cpu1 = new Map(Object.entries(myPids).map(([k, pid]) => [k, cpuTicks(pid)]));
    const notifSplit1 = [cpuSplit(myPids['notifications-a']!), cpuSplit(myPids['notifications-b']!)];
    const all1 = ticksByComm();
    const sys1 = totalCpuTicks();
    // Wait until every message of the step is in (or the loss timeout after the last send).
    const last = msgSeq;
    const waitUntil = performance.now() + LOSS_TIMEOUT_MS;
    const complete = () => {
      if (inflight > 0) return false;
      for (let n = first; n < last; n++) {
        const c = counts[n];
        if (c && c.includes(0)) return false;
      }
      return true;
    };
    while (performance.now() < waitUntil && !complete()) await sleep(50);
    let expected = 0;
    let delivered = 0;
    let lost = 0;
    let duplicates = 0;
    for (let n = first; n < last; n++) {
      const c = counts[n];
      if (!c) continue;
      for (let i = 0; i < c.length; i++) {
        expected++;
        if (c[i] === 0) lost++;
        else {
          delivered++;
          duplicates += c[i]! - 1;
        }
      }
    }
    const lat = currentLatencies.sort((a, b) => a - b);
    const fan = currentFanout.sort((a, b) => a - b);
    sendLatencies.sort((a, b) => a - b);
    const elapsedS = (sys1.total - sys0.total) / TICK / 2 || sendWindowMs / 1000;
    const cpuPercent: Record<string, number> = {};
    for (const [k, v] of cpu1) cpuPercent[k] = Math.round(((v - cpu0.get(k)!) / TICK / (sendWindowMs / 1000)) * 1000) / 10;
    // Everything else on the machine, by command name (postgres, redis-server, beam.smp, other node…).
    const mine = new Set(Object.values(myPids));
    const byComm: Record<string, number> = {};
    for (const [pid, { comm, ticks }] of all1) {
      if (mine.has(pid)) continue;
      const before = all0.get(pid)?.ticks ?? 0;
      const d = ticks - before;
      if (d <= 0) continue;
      const key =
        comm === 'node' || comm.startsWith('node')
          ? 'node (not this benchmark: other helper / tools)'
          : comm.replace(/^postgres.*/, 'postgres').replace(/^(1_scheduler|erl_child_setup|beam.*)$/, 'rabbitmq (beam)');
      byComm[key] = (byComm[key] ?? 0) + d;
    }
    for (const k of Object.keys(byComm)) byComm[k] = Math.round((byComm[k]! / TICK / (sendWindowMs / 1000)) * 1000) / 10;
    const machineBusy = Math.round(((sys1.busy - sys0.busy) / (sys1.total - sys0.total)) * 1000) / 10;
    const sentOk = last - first - sendErrors;
    const step = {
      rateTarget: rate,
      sent: last - first,
      sentOk,
      sendRateAchieved: Math.round((sentOk / (sendWindowMs / 1000)) * 10) / 10,
      sendErrors,
      sendErrorSamples,
      maxInflightRequests: maxInflight,
      expectedDeliveries: expected,
      delivered,
      deliveriesPerSecond: Math.round(delivered / (sendWindowMs / 1000)),
      lost,
      duplicates,
      latencyMs: {
        p50: round(percentile(lat, 50)),
        p95: round(percentile(lat, 95)),
        p99: round(percentile(lat, 99)),
        max: round(lat[lat.length - 1] ?? Number.NaN),
      },
      commitToSocketMs: { p50: round(percentile(fan, 50)), p99: round(percentile(fan, 99)), note: 'receipt minus the message createdAt (ms clock)' },
      sendHttpMs: { p50: round(percentile(sendLatencies, 50)), p99: round(percentile(sendLatencies, 99)) },
      cpuPercentOfOneCore: {
        ...cpuPercent,
        ...Object.fromEntries(
          Object.entries(byComm)
            .filter(([, v]) => v >= 0.5)
            .sort((a, b) => b[1] - a[1]),
        ),
      },
      // CPU of both notifications instances and of the generator per delivery of the step (fixed
      // costs such as heartbeats included), and how much of the instances' time was in the kernel.
      cpuPerDeliveryUs: {
        notifications: round(((cpuPercent['notifications-a']! + cpuPercent['notifications-b']!) / 100 / Math.max(1, delivered / (sendWindowMs / 1000))) * 1e6),
        generator: round((cpuPercent.generator! / 100 / Math.max(1, delivered / (sendWindowMs / 1000))) * 1e6),
      },
      notificationsSystemTimePercent: systemShare(notifSplit0, notifSplit1),
      machineBusyPercent: machineBusy,
      elapsedCheck: Math.round(elapsedS * 10) / 10,
      socketsClosedSoFar: Object.values(closes).reduce((a, b) => a + b, 0),
      loadAverageAfter: loadavg(),
    };
    delete (step as any).elapsedCheck;
    steps.push(step);
    log(
      `rate ${rate}/s: sent ${step.sendRateAchieved}/s, ${step.deliveriesPerSecond} deliveries/s, p50 ${step.latencyMs.p50} p95 ${step.latencyMs.p95} p99 ${step.latencyMs.p99} ms, lost ${lost}, dup ${duplicates}, send errors ${sendErrors}, machine ${machineBusy}% busy`,
    );
    log(
      `  cpu per delivery: notifications ${step.cpuPerDeliveryUs.notifications} µs (${step.notificationsSystemTimePercent}% of it system time), generator ${step.cpuPerDeliveryUs.generator} µs`,
    );
    log('  cpu %', step.cpuPercentOfOneCore);
    (step as any).range = [first, last];
    if (!(step.latencyMs.p99 <= STOP_P99_MS) || lost > 0 || sendErrors > 0 || step.sendRateAchieved < 0.9 * rate) {
      log(`stopping the ramp: p99 > ${STOP_P99_MS} ms, loss, send errors or the send rate not reached`);
      break;
    }
    await sleep(2000);
  }
  await http.close();
  // Late, not lost? Give stragglers 10 s more, then count what never came at all.
  await sleep(10_000);
  for (const step of steps) {
    const [first, last] = step.range as [number, number];
    let missing = 0;
    let dups = 0;
    for (let n = first; n < last; n++) {
      const c = counts[n];
      if (!c) continue;
      for (let i = 0; i < c.length; i++) {
        if (c[i] === 0) missing++;
        else dups += c[i]! - 1;
      }
    }
    step.lostAfterExtra10s = missing;
    step.duplicatesAfterExtra10s = dups;
    delete step.range;
  }
  results.steps = steps;
  results.unknownFrames = unknownFrames;
  results.otherFrames = otherFrames;
  results.socketClosesBeforeEnd = { ...closes };
  const ok = steps.filter((s) => s.lost === 0 && s.sendErrors === 0 && s.latencyMs.p99 <= P99_TARGET_MS);
  const best = ok.sort((a, b) => b.deliveriesPerSecond - a.deliveriesPerSecond)[0];
  results.summary = {
    socketsHeld: opened,
    highestRateWithinTarget: best ? { rateTarget: best.rateTarget, deliveriesPerSecond: best.deliveriesPerSecond, p99: best.latencyMs.p99 } : null,
    targets: {
      sockets10000: opened >= 10_000,
      deliveries30000PerSecondP99Under100msZeroLoss: !!best && best.deliveriesPerSecond >= 30_000,
      under10KbPerIdleSocket: perSocketKb <= 10,
    },
  };
  results.loadAverage.end = loadavg();
  for (const s of socks) s?.ws.terminate();
} catch (error) {
  exitCode = 1;
  console.error(error);
  results.error = String((error as Error)?.stack ?? error);
} finally {
  const profileSource = CPU_PROFILE ? profDir : undefined;
  // Stop notifications A first with SIGTERM so --cpu-prof writes its profile.
  if (profileSource) {
    const a = children.find((c) => c.name === 'notifications-a');
    if (a && a.child.exitCode === null) {
      a.child.kill('SIGTERM');
      await Promise.race([a.exited, sleep(10_000)]);
    }
    try {
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) results.cpuProfileNotificationsA = summariseProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')));
    } catch (err) {
      results.cpuProfileNotificationsA = { error: String(err) };
    }
  }
  await stopAll();
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${OUT}`);
  if (results.steps)
    console.table(
      results.steps.map((s: any) => ({
        rate: s.rateTarget,
        sentPerS: s.sendRateAchieved,
        deliveriesPerS: s.deliveriesPerSecond,
        p50: s.latencyMs.p50,
        p95: s.latencyMs.p95,
        p99: s.latencyMs.p99,
        lost: s.lost,
        dup: s.duplicates,
        errors: s.sendErrors,
      })),
    );
  process.exit(exitCode);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Self time by function and by file (package) from a V8 .cpuprofile. */
function summariseProfile(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
}) {
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    const url = node.callFrame.url.replace(/^file:\/\//, '').replace(root, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url ? url.split('/').slice(0, 3).join('/') : '(native/gc/idle)');
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}` : ''}`.trim();
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byFile.set(pkg, (byFile.get(pkg) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => ({ name: k, percent: Math.round((v / total) * 1000) / 10 }));
  return {
    totalSeconds: Math.round(total / 1e5) / 10,
    topFunctionsBySelfTime: top(byFn, 20),
    byPackage: top(byFile, 15),
    note: 'whole life of instance A (setup, sockets, all steps), self time',
  };
}

/** nodejs_heap_size_used_bytes of an instance's /metrics (on its metrics port), in KiB (NaN if absent). */
async function heapUsedKb(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)/m.exec(text);
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
