import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, PoolStats, Queryable, QueryResult } from '../ports.ts';

interface PgliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
}

/** PGlite's query (or a transaction's) as a Queryable. */
export const wrapPglite = (client: PgliteLike): Queryable => ({
  async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    const result = await client.query<Row>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  },
});

/**
 * PostgreSQL's own default is 128 MB, and PGlite keeps in the process's memory whatever part of
 * it has been used. Its files are ordinary files, so the operating system's page cache holds
 * what does not fit (as for a PostgreSQL server with small shared_buffers). Measured with
 * bench/memory/run.ts: ~100 MB less resident per instance.
 */
const SHARED_BUFFERS = '32MB';

/** Opens (or creates) a PGlite data folder, or one in memory when dataDir is undefined, with the extensions migrations use. */
export async function startPglite(dataDir?: string): Promise<PGlite> {
  if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await initdbApart(dataDir);
  return PGlite.create(dataDir, {
    extensions: { pg_trgm },
    // On the command line rather than in postgresql.conf: PGlite's option would replace initdb's whole file.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
  });
}

/**
 * Creates a new data folder (initdb) in a short-lived child process. Run in this one, initdb's
 * own WASM module and memory stay resident long after it is done (~130 MB measured); it is
 * made in a sibling folder and renamed, so a failed initdb leaves no half-made folder behind.
 */
async function initdbApart(dataDir: string): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is not empty and holds no PostgreSQL data folder (no PG_VERSION): move it away`);
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  const building = `${dataDir}.initdb-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const script = `const { PGlite } = await import(${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))});
    await (await PGlite.create(process.argv[1])).close();`;
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script, building]);
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(building, dataDir);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

/** Counts work asked of the one connection and not finished: PGlite runs one, the others wait (read by the metrics). */
export function busyCounter() {
  let busy = 0;
  return {
    counted<T>(work: () => Promise<T>): Promise<T> {
      busy++;
      return work().finally(() => busy--);
    },
    stats: (): PoolStats => ({ total: 1, idle: busy === 0 ? 1 : 0, waiting: Math.max(0, busy - 1) }),
  };
}

/**
 * Embedded PostgreSQL (PGlite, WASM) of its own: a data folder, or memory when dataDir is
 * undefined. A service run alone on the embedded database uses it (DATA_DIR/<service>/pg), as
 * do tests; `npm start` puts every service in one instance instead (shared-pglite.ts). PGlite
 * runs one statement at a time; transactions hold it.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  const lite = await startPglite(dataDir);
  const direct = wrapPglite(lite);
  const busy = busyCounter();
  return {
    kind: 'pglite',
    query: <Row>(sql: string, params?: readonly unknown[]) => busy.counted(() => direct.query<Row>(sql, params)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => busy.counted(() => lite.transaction<T>((tx) => fn(wrapPglite(tx)))),
    poolStats: busy.stats,
    async ping() {
      return !lite.closed;
    },
    async close() {
      if (!lite.closed) await lite.close();
    },
  };
}
