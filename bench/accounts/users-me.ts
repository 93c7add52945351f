/**
 * Benchmark of issue 2: authenticated GET /api/v1/users/me against real PostgreSQL and Redis,
 * at the accounts service and through the gateway, plus login latency with our argon2 params.
 *
 *   npm run bench:accounts            (writes bench/results/accounts.json and prints tables)
 *
 * Services run as their own processes, as in distributed mode, on a Redis database and a
 * RabbitMQ vhost of their own (bench/lib/isolation.ts). Load comes from autocannon in this
 * process. On a 2-core machine the generator shares the CPU with what it measures, so each
 * target is measured twice: unpinned (the OS schedules everything on both cores) and pinned
 * (taskset: our services on core 0, the generator on core 1; PostgreSQL and Redis are not ours
 * to pin and float). Besides req/s and latency, every run reports the CPU each process used per
 * request (from /proc), the figure to judge a change by on a busy machine.
 *
 * Each target is measured twice more at a fixed offered rate (BENCH_RATE, default 5,000 req/s,
 * issue 2's target): the latency that target is about, and a CPU per request that compares
 * fairly between runs (flat out, a busier or quieter machine changes how many Redis commands
 * and responses share one write, and with it the cost per request).
 *
 * Environment: BENCH_DURATION (s, default 8), BENCH_CONNECTIONS (64), BENCH_LOGINS (40),
 * BENCH_RATE (5000), BENCH_PIN (both | on | off, default both), BENCH_CPU_PROFILE_DIR (writes a .cpuprofile of
 * accounts for its unpinned at-service window and of the gateway for its unpinned gateway
 * window; summarise with bench/lib/cpuprofile.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { ensureVhost, flushRedisDb, isolatedUrls } from '../lib/isolation.ts';
import { cpuMeter, loadAverage, runLoad, type LoadResult } from '../lib/measure.ts';
import { freshDatabase, percentile, root, startService, type Service } from '../lib/processes.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 40);
const PIN = process.env.BENCH_PIN ?? 'both';
/** The target rate of issue 2: also measured at exactly this offered rate, where CPU per request compares fairly between runs. */
const RATE = Number(process.env.BENCH_RATE ?? 5000);
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
const ACCOUNTS_PORT = 14001;
const GATEWAY_PORT = 18081;

const isolated = isolatedUrls(process.env.BENCH_ACCOUNTS_VHOST ?? 'parley_bench_accounts', Number(process.env.BENCH_ACCOUNTS_REDIS_DB ?? 6));
await ensureVhost(isolated);
await flushRedisDb(isolated.redis);

const profiled = (): Record<string, string> =>
  PROFILE_DIR ? { NODE_OPTIONS: `--import ${root}bench/lib/cpu-profile-preload.mjs`, BENCH_CPU_PROFILE_DIR: PROFILE_DIR } : {};
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });

const common = { REDIS_URL: isolated.redis, AMQP_URL: isolated.amqp, RATE_LIMIT_PER_MINUTE: '100000000', METRICS_PORT: '0', ...profiled() };
const databaseUrl = await freshDatabase('parley_bench_accounts');
const accounts = await startService(
  'services/accounts/src/main.ts',
  {
    ...common,
    ACCOUNTS_DATABASE_URL: databaseUrl,
    PORT: String(ACCOUNTS_PORT),
    GRPC_PORT: '14101',
    ACCOUNTS_RUN_WORKER: 'true',
    AUTH_MAX_PER_IP: '1000000',
    LOGIN_MAX_FAILURES: '1000000',
  },
  `http://127.0.0.1:${ACCOUNTS_PORT}/readyz`,
);
let gateway: Service | undefined;

/** Sets the CPU affinity of every thread of a process (taskset -a). */
function pin(pid: number, cores: string): void {
  const result = spawnSync('taskset', ['-a', '-c', '-p', cores, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset ${cores} ${pid} failed: ${result.error?.message ?? result.stderr}`);
}

interface Measured extends LoadResult {
  loadAverage: [number, number, number];
  /** Per cent of one core during the measured window. */
  cpuPercent: Record<string, number>;
  /** CPU microseconds per completed request, per process. */
  cpuMicrosPerRequest: Record<string, number>;
}

try {
  gateway = await startService(
    'services/gateway/src/main.ts',
    { ...common, PORT: String(GATEWAY_PORT), HOST: '127.0.0.1', ACCOUNTS_URL: `http://127.0.0.1:${ACCOUNTS_PORT}` },
    // Its /readyz also checks groups, messages and notifications, which this bench does not start.
    `http://127.0.0.1:${GATEWAY_PORT}/healthz`,
  );
  const pids = { accounts: accounts.child.pid!, gateway: gateway.child.pid! };
  const base = `http://127.0.0.1:${ACCOUNTS_PORT}`;
  const register = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench_user', email: 'bench@example.test', password: 'bench-password-1' }),
  });
  const { accessToken } = (await register.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  for (const url of [`${base}/api/v1/users/me`, `http://127.0.0.1:${GATEWAY_PORT}/api/v1/users/me`]) {
    const res = await fetch(url, { headers });
    const body = (await res.json()) as { username?: string };
    if (res.status !== 200 || body.username !== 'bench_user') throw new Error(`${url} answered ${res.status} ${JSON.stringify(body)}`);
  }

  const loginTimes: number[] = [];
  for (let i = 0; i < LOGINS; i++) {
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bench_user', password: 'bench-password-1' }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    loginTimes.push(performance.now() - started);
  }
  loginTimes.sort((a, b) => a - b);

  const meter = cpuMeter({ services: pids });
  const run = async (url: string, options: { profile?: Service; overallRate?: number } = {}): Promise<Measured> => {
    const { profile, overallRate } = options;
    // A short warm-up so JIT and connection pools are settled before measuring.
    await runLoad({ url, connections: CONNECTIONS, duration: 3, headers, overallRate });
    const loadAtStart = loadAverage();
    if (profile) profile.child.kill('SIGUSR2');
    meter.reset();
    const result = await runLoad({ url, connections: CONNECTIONS, duration: DURATION_S, headers, overallRate });
    const cpuPercent = meter.read();
    if (profile) profile.child.kill('SIGUSR2');
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors (${JSON.stringify(result.statuses)})`);
    const perRequest = (label: string) => Math.round((cpuPercent[label]! * 10_000) / Math.max(1, result.requestsPerSecond));
    return {
      ...result,
      loadAverage: loadAtStart,
      cpuPercent,
      cpuMicrosPerRequest: { accounts: perRequest('accounts'), gateway: perRequest('gateway'), loadGenerator: perRequest('loadGenerator') },
    };
  };

  const canPin = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;
  const allCores = `0-${cpus().length - 1}`;
  if (!canPin && PIN !== 'off') console.warn('taskset (util-linux) is not installed: measuring unpinned only');
  const modes = !canPin || PIN === 'off' ? ['unpinned'] : PIN === 'on' ? ['pinned'] : ['unpinned', 'pinned'];
  const usersMe: Record<string, Record<string, Measured>> = {};
  const atService = `${base}/api/v1/users/me`;
  const throughGateway = `http://127.0.0.1:${GATEWAY_PORT}/api/v1/users/me`;
  for (const mode of modes) {
    const pinned = mode === 'pinned';
    if (canPin) {
      pin(pids.accounts, pinned ? '0' : allCores);
      pin(pids.gateway, pinned ? '0' : allCores);
      pin(process.pid, pinned ? '1' : allCores);
    }
    const profileThis = PROFILE_DIR && !pinned;
    usersMe[mode] = {
      // As fast as it goes (64 connections, each sends its next request when answered).
      atService: await run(atService, { profile: profileThis ? accounts : undefined }),
      throughGateway: await run(throughGateway, { profile: profileThis ? gateway : undefined }),
      // At the target rate: latency there is what the target is about.
      [`atService@${RATE}`]: await run(atService, { overallRate: RATE }),
      [`throughGateway@${RATE}`]: await run(throughGateway, { overallRate: RATE }),
    };
  }
  if (canPin) pin(process.pid, allCores);

  const results = {
    date: new Date().toISOString(),
    machine: 'Debian 12, 2 cores (load generator on the same machine)',
    settings: { durationSeconds: DURATION_S, connections: CONNECTIONS, targetRate: RATE, pinnedMeans: 'services on core 0, autocannon on core 1' },
    usersMe,
    login: {
      argon2: 'argon2id m=19456 KiB, t=2, p=1',
      samples: LOGINS,
      p50ms: Math.round(percentile(loginTimes, 50) * 10) / 10,
      p99ms: Math.round(percentile(loginTimes, 99) * 10) / 10,
    },
  };
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/accounts.json`, `${JSON.stringify(results, null, 2)}\n`);
  const rows: Record<string, unknown> = {};
  for (const [mode, targets] of Object.entries(usersMe)) {
    for (const [target, r] of Object.entries(targets)) {
      rows[`${target} ${mode}`] = {
        'req/s': r.requestsPerSecond,
        p50: r.p50ms,
        p99: r.p99ms,
        'accounts µs/req': r.cpuMicrosPerRequest.accounts,
        'gateway µs/req': r.cpuMicrosPerRequest.gateway,
        'autocannon µs/req': r.cpuMicrosPerRequest.loadGenerator,
        'redis %': r.cpuPercent.redis,
        'machine %': r.cpuPercent.machineTotal,
        load: r.loadAverage[0],
      };
    }
  }
  console.table(rows);
  console.table({ login: results.login });
} finally {
  await gateway?.stop();
  await accounts.stop();
}
