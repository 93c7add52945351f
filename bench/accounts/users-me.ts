/**
 * Benchmark of issue 2: authenticated GET /api/v1/users/me against real PostgreSQL and Redis,
 * at the accounts service and through the gateway, plus login latency with our argon2 params.
 *
 *   npm run bench:accounts            (writes bench/results/accounts.json and prints a table)
 *
 * Services run as their own processes, as in distributed mode. Load comes from autocannon
 * in this process; on a 2-core machine it shares the CPU with the service it measures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { freshDatabase, percentile, root, servers, startService } from '../lib/processes.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 40);
const ACCOUNTS_PORT = 14001;
const GATEWAY_PORT = 18081;

const common = { REDIS_URL: servers.redis, AMQP_URL: servers.amqp, RATE_LIMIT_PER_MINUTE: '100000000' };
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
const gateway = await startService(
  'services/gateway/src/main.ts',
  { ...common, PORT: String(GATEWAY_PORT), HOST: '127.0.0.1', ACCOUNTS_URL: `http://127.0.0.1:${ACCOUNTS_PORT}` },
  // Its /readyz also checks groups, messages and notifications, which this bench does not start.
  `http://127.0.0.1:${GATEWAY_PORT}/healthz`,
);

try {
  const base = `http://127.0.0.1:${ACCOUNTS_PORT}`;
  const register = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench_user', email: 'bench@example.test', password: 'bench-password-1' }),
  });
  const { accessToken } = (await register.json()) as { accessToken: string };

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

  const run = async (url: string) => {
    // A short warm-up so JIT and connection pools are settled before measuring.
    await autocannon({ url, connections: CONNECTIONS, duration: 3, headers: { authorization: `Bearer ${accessToken}` } });
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${accessToken}` } });
    return {
      requestsPerSecond: Math.round(result.requests.average),
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      total: result.requests.total,
    };
  };
  const atService = await run(`${base}/api/v1/users/me`);
  const throughGateway = await run(`http://127.0.0.1:${GATEWAY_PORT}/api/v1/users/me`);

  const results = {
    date: new Date().toISOString(),
    machine: 'Debian 12, 2 cores (load generator on the same machine)',
    settings: { durationSeconds: DURATION_S, connections: CONNECTIONS },
    usersMe: { atService, throughGateway },
    login: {
      argon2: 'argon2id m=19456 KiB, t=2, p=1',
      samples: LOGINS,
      p50ms: Math.round(percentile(loginTimes, 50) * 10) / 10,
      p99ms: Math.round(percentile(loginTimes, 99) * 10) / 10,
    },
  };
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/accounts.json`, `${JSON.stringify(results, null, 2)}\n`);
  console.table({ atService, throughGateway });
  console.table({ login: results.login });
} finally {
  await gateway.stop();
  await accounts.stop();
}
