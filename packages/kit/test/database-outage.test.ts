import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresDb } from '../src/db/postgres.ts';
import { isConnectionFailure } from '../src/errors.ts';
import { createHttpServer, type HttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { infraEnabled, testUrls } from '../src/testing/infra.ts';
import { startProxy, type CuttableProxy } from '../src/testing/tcp-proxy.ts';
import type { Db } from '../src/ports.ts';

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
