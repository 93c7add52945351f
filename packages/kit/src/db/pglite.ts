import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, Queryable, QueryResult } from '../ports.ts';

interface PgliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
}

const wrap = (client: PgliteLike): Queryable => ({
  async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    const result = await client.query<Row>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  },
});

/**
 * Embedded PostgreSQL (PGlite, WASM) for standalone mode: a data folder per service, or
 * memory when dataDir is undefined. PGlite runs one statement at a time; transactions hold it.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const direct = wrap(lite);
  /** Statements and transactions asked for and not finished: PGlite runs one, the others wait. */
  let busy = 0;
  const counted = <T,>(work: () => Promise<T>): Promise<T> => {
    busy++;
    return work().finally(() => busy--);
  };
  return {
    kind: 'pglite',
    query: <Row,>(sql: string, params?: readonly unknown[]) => counted(() => direct.query<Row>(sql, params)),
    transaction: <T,>(fn: (tx: Queryable) => Promise<T>) => counted(() => lite.transaction<T>((tx) => fn(wrap(tx)))),
    poolStats: () => ({ total: 1, idle: busy === 0 ? 1 : 0, waiting: Math.max(0, busy - 1) }),
    async ping() {
      return !lite.closed;
    },
    async close() {
      if (!lite.closed) await lite.close();
    },
  };
}
