import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgliteDb } from '../db/pglite.ts';
import { createPostgresDb } from '../db/postgres.ts';
import type { Db } from '../ports.ts';

/**
 * `npm run test:infra` sets PARLEY_TEST_INFRA=1: suites run on the embedded adapters and
 * against real servers. `only` runs just the real ones (CI, right after `npm test`).
 */
const infraSetting = process.env.PARLEY_TEST_INFRA;
export const infraEnabled = infraSetting === '1' || infraSetting === 'only';

export const testUrls = {
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  amqp: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
};

/** The adapter kinds a contract or service suite runs against in this run. */
export const adapterKinds = (): ('embedded' | 'real')[] => (infraSetting === 'only' ? ['real'] : infraEnabled ? ['embedded', 'real'] : ['embedded']);

export const uniqueName = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/** A fresh, empty database: PGlite in memory, or a new PostgreSQL database dropped on close. */
export async function openTestDb(kind: 'embedded' | 'real'): Promise<Db> {
  if (kind === 'embedded') return createPgliteDb();
  const name = uniqueName('parley_test');
  const admin = new pg.Client({ connectionString: testUrls.postgres });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testUrls.postgres);
  url.pathname = `/${name}`;
  const db = createPostgresDb(url.toString(), { max: 5 });
  return {
    ...db,
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: testUrls.postgres });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
