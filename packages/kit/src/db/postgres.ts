import pg from 'pg';
import { isConnectionFailure } from '../errors.ts';
import type { Db, Queryable, QueryOptions, QueryResult, TransactionOptions } from '../ports.ts';

// int8 (counts, sums) as numbers, as PGlite gives them: our counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** node-postgres's per-statement read timeout, which @types/pg leaves out of QueryConfig. */
type TimedQueryConfig = pg.QueryConfig & { query_timeout?: number };

/**
 * Statements on the pool or on one client. Each is given up after timeoutMs without an answer
 * (undefined: it waits as long as it takes); onFailure hears of every statement that failed
 * for want of a connection, a timed-out one included.
 */
const wrap = (client: pg.Pool | pg.PoolClient, timeoutMs: number | undefined, onFailure?: (error: Error) => void): Queryable => ({
  async query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<Row>> {
    const config: TimedQueryConfig = { text: sql, values: params as unknown[] | undefined };
    if (options?.prepare) config.name = options.prepare;
    if (timeoutMs !== undefined) config.query_timeout = timeoutMs;
    try {
      const result = await client.query(config);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      if (onFailure && isConnectionFailure(error)) onFailure(error as Error);
      throw error;
    }
  },
});

const CONNECT_TIMEOUT_MS = 5000;
/** DATABASE_QUERY_TIMEOUT_MS's default: searches and the hourly purges may take seconds. */
const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

export interface PostgresDbOptions {
  /** Connections of the pool (default 10). */
  max?: number;
  /**
   * A statement that gets no answer within this many ms fails ("Query read timeout", a
   * connection failure: 503) and its connection is destroyed (DATABASE_QUERY_TIMEOUT_MS,
   * default 30 s). Never shorter than the longest legitimate statement; migrations are exempt.
   */
  queryTimeoutMs?: number | undefined;
}

/** PostgreSQL through a connection pool. */
export function createPostgresDb(url: string, options: PostgresDbOptions = {}): Db {
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  // A server that takes no connection (down, or unreachable) fails the request after 5 s
  // instead of keeping it waiting: it answers 503 (http/problem.ts), never hangs.
  //
  // A server that took the connection and then answers nothing (its process stopped, packets
  // black-holed while the TCP connection stays open) would keep every statement in flight
  // waiting forever: each statement gets node-postgres's client-side `query_timeout` instead.
  // It rejects the statement with "Query read timeout" but leaves the connection busy with it,
  // so that connection is never reused: pool.query releases its client with the error, and
  // transaction() below does the same, and a client released with an error is destroyed (its
  // socket cut, as it still has a statement in progress). The pool opens fresh connections
  // once the server answers again. The timeout is set per statement, not on the pool: a
  // per-statement 0 would fall back to the pool's value, so untimed transactions (migrations)
  // could not opt out.
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const pooled = wrap(pool, queryTimeoutMs);
  return {
    kind: 'postgres',
    query: <Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) => pooled.query<Row>(sql, params, options),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, transactionOptions: TransactionOptions = {}): Promise<T> {
      const client = await pool.connect();
      // The pool listens for errors of idle clients only: a checked-out client whose connection
      // is lost emits 'error' with no one listening, which ends the process (seen with
      // PostgreSQL cut during load). Here the statement in progress, or the next, fails instead,
      // and the broken client is discarded rather than given back to the pool. So is one whose
      // statement timed out (still busy with it), even if fn caught that statement's error.
      let lost: Error | undefined;
      const onError = (error: Error): void => {
        lost ??= error;
      };
      client.on('error', onError);
      // Migrations run untimed (TransactionOptions.untimed): a migration may build an index for
      // minutes, and cutting it would fail every start-up of the service.
      const tx = wrap(client, transactionOptions.untimed ? undefined : queryTimeoutMs, onError);
      try {
        await tx.query('BEGIN');
        const result = await fn(tx);
        // A statement given up on may still have run: the transaction's outcome is unknown, never committed.
        if (lost) throw lost;
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        if (!lost && isConnectionFailure(error)) lost = error as Error;
        if (!lost) await tx.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        client.release(lost);
      }
    },
    async ping() {
      // Bounded as a whole, waiting for a connection included (all checked out, or a new one
      // not answering): /readyz says "not ready" within the timeout, never hangs.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, queryTimeoutMs, false);
      });
      try {
        return await Promise.race([
          pooled.query('SELECT 1').then(
            () => true,
            () => false,
          ),
          late,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await pool.end();
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
