import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createSharedPglite } from '../../src/db/shared-pglite.ts';
import type { Db } from '../../src/ports.ts';
import { adapterKinds, openTestDb } from '../../src/testing/infra.ts';

/** The adapters, and with the embedded one the way `npm start` uses it: one schema of a shared instance. */
const kinds = adapterKinds().flatMap((kind) => (kind === 'embedded' ? (['embedded', 'embedded schema'] as const) : ([kind] as const)));

async function open(kind: (typeof kinds)[number]): Promise<Db> {
  if (kind !== 'embedded schema') return openTestDb(kind);
  const shared = await createSharedPglite();
  // A neighbour with a table of the same name: the service under test must only ever see its own.
  const neighbour = await shared.open('neighbour');
  await neighbour.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
  await neighbour.query(`INSERT INTO notes VALUES (99, 'not yours')`);
  const db = await shared.open('contract');
  return { ...db, close: async () => (await db.close(), await neighbour.close()) };
}

describe.each(kinds)('Db contract (%s)', (kind) => {
  let db: Db;

  beforeAll(async () => {
    db = await open(kind);
    await migrate(db, [
      {
        id: '0001_notes',
        sql: `CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, hits bigint NOT NULL DEFAULT 0);
              CREATE EXTENSION IF NOT EXISTS pg_trgm;`,
      },
    ]);
  });

  afterAll(async () => {
    await db.close();
  });

  it('answers ping', async () => {
    expect(await db.ping()).toBe(true);
  });

  it('runs parameterised statements and reports the rows they touched', async () => {
    const inserted = await db.query('INSERT INTO notes (id, body) VALUES ($1, $2), ($3, $4)', [1, 'one', 2, 'two']);
    expect(inserted.rowCount).toBe(2);
    const { rows } = await db.query<{ id: number; body: string }>('SELECT id, body FROM notes ORDER BY id');
    expect(rows).toEqual([
      { id: 1, body: 'one' },
      { id: 2, body: 'two' },
    ]);
  });

  it('gives bigint counters as numbers', async () => {
    const { rows } = await db.query<{ total: number }>('SELECT count(*) AS total FROM notes');
    expect(rows[0]?.total).toBe(2);
  });

  it('runs a named prepared statement again and again with other parameters', async () => {
    const byId = (id: number) => db.query<{ body: string }>('SELECT body FROM notes WHERE id = $1', [id], { prepare: 'contract.note-by-id' });
    // More runs than PostgreSQL's five custom plans, so the generic plan is exercised too.
    for (let round = 0; round < 7; round += 1) {
      expect((await byId(1)).rows).toEqual([{ body: 'one' }]);
      expect((await byId(2)).rows).toEqual([{ body: 'two' }]);
      expect((await byId(3)).rows).toEqual([]);
    }
  });

  it('commits a transaction when its function resolves', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('UPDATE notes SET hits = hits + 1 WHERE id = $1', [1], { prepare: 'contract.hit' });
      return 'done';
    });
    expect(result).toBe('done');
    const { rows } = await db.query<{ hits: number }>('SELECT hits FROM notes WHERE id = 1');
    expect(rows[0]?.hits).toBe(1);
  });

  it('rolls a transaction back entirely when its function throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [10, 'ten']);
        await tx.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [1, 'duplicate id']);
      }),
    ).rejects.toThrow();
    const { rows } = await db.query('SELECT id FROM notes WHERE id = 10');
    expect(rows).toEqual([]);
  });

  it('reports SQL errors with their PostgreSQL code', async () => {
    await expect(db.query('INSERT INTO notes (id, body) VALUES ($1, $2)', [2, 'again'])).rejects.toMatchObject({
      code: '23505',
    });
  });

  it('leaves the database usable after a failed statement', async () => {
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toThrow();
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('applies each migration once', async () => {
    await migrate(db, [{ id: '0001_notes', sql: 'CREATE TABLE notes (id int)' }]);
    const { rows } = await db.query<{ total: number }>('SELECT count(*) AS total FROM notes');
    expect(rows[0]?.total).toBe(2);
  });
});
