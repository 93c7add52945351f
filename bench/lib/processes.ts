import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';

export const root = new URL('../../', import.meta.url).pathname;

export const servers = {
  postgres: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  amqp: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
};

/** A fresh database for one bench run (dropped first if a previous run left it). */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: servers.postgres });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(servers.postgres);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Service {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a service entry point as its own process (distributed mode) and waits for /readyz. */
export async function startService(entry: string, env: Record<string, string>, readyUrl: string): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${entry} not ready in 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
