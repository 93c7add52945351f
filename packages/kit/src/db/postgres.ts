import pg from 'pg';
import { isConnectionFailure } from '../errors.ts';
import type { Db, Queryable, QueryOptions, QueryResult } from '../ports.ts';

// int8 (counts, sums) as numbers, as PGlite gives them: our counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
  async query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<Row>> {
    const values = params as unknown[] | undefined;
    const result = options?.prepare ? await client.query({ name: options.prepare, text: sql, values }) : await client.query(sql, values);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  },
});

const CONNECT_TIMEOUT_MS = 5000;

/** PostgreSQL through a connection pool. */
export function createPostgresDb(url: string, options: { max?: number } = {}): Db {
  // A server that takes no connection (down, or unreachable) fails the request after 5 s
  // instead of keeping it waiting: it answers 503 (http/problem.ts), never hangs.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const pooled = wrap(pool);
  return {
    kind: 'postgres',
    query: <Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => pooled.query<Row>(sql, params, options),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // The pool listens for errors of idle clients only: a checked-out client whose connection
      // is lost emits 'error' with no one listening, which ends the process (seen with
      // PostgreSQL cut during load). Here the statement in progress, or the next, fails instead,
      // and the broken client is discarded rather than given back to the pool.
      let lost: Error | undefined;
      const onError = (error: Error): void => {
        lost = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (!lost && isConnectionFailure(error)) lost = error as Error;
        if (!lost) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        client.release(lost);
      }
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.end();
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
