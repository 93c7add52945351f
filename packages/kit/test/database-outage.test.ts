import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createPostgresDb } from '../src/db/postgres.ts';
import { isConnectionFailure } from '../src/errors.ts';
import { createHttpServer, type HttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { infraEnabled, testUrls, uniqueName } from '../src/testing/infra.ts';
import { startProxy, type CuttableProxy } from '../src/testing/tcp-proxy.ts';
import type { Db, Queryable } from '../src/ports.ts';

describe('connection failures', () => {
  const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

  it("are the socket errors, the SQLSTATEs of a server going away and node-postgres's own words", () => {
    for (const error of [
      coded('ECONNREFUSED'),
      coded('ECONNRESET'),
      coded('57P01', 'terminating connection due to administrator command'),
      coded('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
    ])
      expect(isConnectionFailure(error), String(error)).toBe(true);
  });

  it("are not a query's own errors nor bugs", () => {
    for (const error of [coded('23505', 'duplicate key'), coded('42P01', 'relation does not exist'), new TypeError('x is undefined'), 'ECONNREFUSED', undefined])
      expect(isConnectionFailure(error), String(error)).toBe(false);
  });
});

// PostgreSQL behind a TCP proxy that the test cuts: the shared server itself is never touched.
describe.runIf(infraEnabled)('a service whose PostgreSQL connections are cut', () => {
  let proxy: CuttableProxy;
  let db: Db;
  let app: HttpServer;
  let base: string;
  let inTransaction: () => void = () => undefined;
  let cutDone: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    proxy = await startProxy(testUrls.postgres);
    db = createPostgresDb(proxy.url, { max: 2 });
    app = await createHttpServer({
      service: 'test',
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test'),
      openapi: { title: 'test', version: '1' },
    });
    app.get('/rows', async () => (await db.query<{ one: number }>('SELECT 1 AS one')).rows);
    app.get('/transaction', async () =>
      db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        inTransaction();
        await cutDone; // the connection is lost between two statements of the transaction
        return (await tx.query<{ one: number }>('SELECT 1 AS one')).rows;
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close().catch(() => undefined);
    await proxy?.close();
  });

  it('answers 503 problem+json with Retry-After while it is down, at once, and 200 again once it is back, without a restart', async () => {
    expect((await fetch(`${base}/rows`)).status).toBe(200);
    await proxy.cut();
    // Both the pooled connection that was dropped and the new ones that are refused.
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await fetch(`${base}/rows`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(6000);
    }
    await proxy.restore();
    expect((await fetch(`${base}/rows`)).status).toBe(200);
  });

  it('survives a connection lost in the middle of a transaction (503, not a crash) and serves again after', async () => {
    let cut!: () => void;
    cutDone = new Promise((resolve) => (cut = resolve));
    const started = new Promise<void>((resolve) => (inTransaction = resolve));
    // The pool announces each client it hands out: the last one is the transaction's.
    const poolEvents = vi.spyOn(pg.Pool.prototype, 'emit');
    const answer = fetch(`${base}/transaction`);
    await started;
    const client = poolEvents.mock.calls.findLast(([name]) => name === 'acquire')?.[1] as pg.PoolClient;
    poolEvents.mockRestore();
    // 'end', not once(): that would reject on the 'error' the client emits first.
    const lost = new Promise((resolve) => client.once('end', resolve));
    await proxy.cut();
    await lost; // the client has seen the reset while idle, between two statements
    cut();
    const res = await answer;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
    await proxy.restore();
    expect((await fetch(`${base}/rows`)).status).toBe(200);
  });
});

const pidOf = async (on: Queryable): Promise<number> => (await on.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

/** Whether the server still has a backend of this pid (asked directly, not through the proxy). */
async function backendAlive(pid: number): Promise<boolean> {
  const admin = new pg.Client({ connectionString: testUrls.postgres });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

/** How long a promise took to settle, and its error if it failed. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - started, error };
}

// PostgreSQL behind a TCP proxy that the test freezes: the connections stay open and nothing
// comes back, as when the server's process is stopped or the network drops every packet. The
// shared server itself is never touched.
describe.runIf(infraEnabled)('a service whose PostgreSQL stops answering, its connections open', () => {
  const queryTimeoutMs = 500;
  // Generous for slow machines, yet below the 5 s connect timeout: what ends the wait is the query timeout.
  const inTime = 4000;
  let proxy: CuttableProxy;
  let db: Db;
  let app: HttpServer;
  let base: string;
  const opened: Db[] = [];
  /** A pool of its own, so that which connection runs what is known. */
  const openDb = (): Db => {
    const own = createPostgresDb(proxy.url, { max: 2, queryTimeoutMs });
    opened.push(own);
    return own;
  };

  beforeAll(async () => {
    proxy = await startProxy(testUrls.postgres);
    db = openDb();
    app = await createHttpServer({
      service: 'test',
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test'),
      openapi: { title: 'test', version: '1' },
      readiness: { database: () => db.ping() },
    });
    app.get('/rows', async () => (await db.query<{ one: number }>('SELECT 1 AS one')).rows);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterEach(() => proxy.thaw());
  afterAll(async () => {
    await app?.close();
    for (const each of opened) await each.close().catch(() => undefined);
    await proxy?.close();
  });

  it('fails a pooled statement after the timeout with a connection failure, drops its connection, and serves from a fresh one once the server answers', async () => {
    const own = openDb();
    const before = await pidOf(own); // the pool's one connection, idle
    proxy.freeze();
    const { ms, error } = await timed(own.query('SELECT 1'));
    expect((error as Error).message).toMatch(/Query read timeout/);
    expect(isConnectionFailure(error)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(queryTimeoutMs * 0.9);
    expect(ms).toBeLessThan(inTime);
    // Not given back to the pool: it is still busy with the statement given up on.
    expect(own.poolStats?.().total).toBe(0);
    proxy.thaw();
    const after = await pidOf(own);
    expect(after).not.toBe(before);
    // The dropped connection reaches the server once packets flow again: its backend ends.
    await vi.waitFor(async () => expect(await backendAlive(before)).toBe(false), { timeout: 10_000, interval: 200 });
  });

  it('answers 503 problem+json with Retry-After, not 500 and not a hang, and /readyz says not ready in time; 200 again once the server answers', async () => {
    expect((await fetch(`${base}/rows`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    proxy.freeze();
    const started = Date.now();
    const res = await fetch(`${base}/rows`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(inTime);
    const readyStarted = Date.now();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { database: false } });
    expect(Date.now() - readyStarted).toBeLessThan(inTime);
    proxy.thaw();
    expect((await fetch(`${base}/rows`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('fails a transaction whose statement gets no answer, destroys its connection (the server rolls it back) and serves again after', async () => {
    const own = openDb();
    let pid = 0;
    let inTransaction!: () => void;
    const started = new Promise<void>((resolve) => (inTransaction = resolve));
    let freezeDone!: () => void;
    const frozen = new Promise<void>((resolve) => (freezeDone = resolve));
    const outcome = timed(
      own.transaction(async (tx) => {
        pid = await pidOf(tx);
        inTransaction();
        await frozen; // the server stops answering between two statements
        return tx.query('SELECT 1');
      }),
    );
    await started;
    proxy.freeze();
    freezeDone();
    const { ms, error } = await outcome;
    expect((error as Error).message).toMatch(/Query read timeout/);
    expect(isConnectionFailure(error)).toBe(true);
    expect(ms).toBeLessThan(inTime);
    expect(own.poolStats?.().total).toBe(0);
    proxy.thaw();
    expect(await pidOf(own)).not.toBe(pid);
    await vi.waitFor(async () => expect(await backendAlive(pid)).toBe(false), { timeout: 10_000, interval: 200 });
  });

  it('never commits a transaction whose statement timed out, even if its code caught the error', async () => {
    const own = openDb();
    let caught: unknown;
    const { error } = await timed(
      own.transaction(async (tx) => {
        proxy.freeze(); // after BEGIN
        await tx.query('SELECT 1').catch((e: unknown) => (caught = e));
        return 'done';
      }),
    );
    expect(isConnectionFailure(caught)).toBe(true);
    expect(error).toBe(caught);
    expect(own.poolStats?.().total).toBe(0);
    proxy.thaw();
    expect((await own.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('answers ping() false within the timeout, whether a connection is idle or none can be had, and true once the server answers', async () => {
    const own = openDb();
    expect(await own.ping()).toBe(true);
    proxy.freeze();
    // On the idle connection: the statement times out.
    const onIdle = await timed(own.ping().then((ok) => expect(ok).toBe(false)));
    expect(onIdle.error).toBeUndefined();
    expect(onIdle.ms).toBeLessThan(inTime);
    // None left: a new connection's start-up gets no answer (the connect timeout is 5 s), ping gives up sooner.
    const onNew = await timed(own.ping().then((ok) => expect(ok).toBe(false)));
    expect(onNew.error).toBeUndefined();
    expect(onNew.ms).toBeLessThan(inTime);
    proxy.thaw();
    expect(await own.ping()).toBe(true);
  });
});

describe.runIf(infraEnabled)('migrations under a query timeout', () => {
  it('run as long as they take, while an ordinary statement as slow is given up', async () => {
    const name = uniqueName('parley_test');
    const admin = new pg.Client({ connectionString: testUrls.postgres });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(testUrls.postgres);
    url.pathname = `/${name}`;
    const db = createPostgresDb(url.toString(), { max: 2, queryTimeoutMs: 200 });
    try {
      const slow = await timed(db.query('SELECT pg_sleep(0.6)'));
      expect((slow.error as Error).message).toMatch(/Query read timeout/);
      // A statement slower than the timeout, as an index built on a large table would be.
      expect(await migrate(db, [{ id: '0001_slow', sql: 'SELECT pg_sleep(0.6);\nCREATE TABLE notes (id int);' }])).toEqual(['0001_slow']);
      expect((await db.query('SELECT id FROM schema_migrations')).rows).toEqual([{ id: '0001_slow' }]);
    } finally {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
