import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createSharedPglite, type SharedPglite } from '../src/db/shared-pglite.ts';
import type { Db } from '../src/ports.ts';

// `npm start`'s one embedded database: a schema and a role per service (shared-pglite.ts).
describe('one PGlite instance shared by several services', () => {
  let shared: SharedPglite;
  let accounts: Db;
  let groups: Db;

  beforeAll(async () => {
    shared = await createSharedPglite();
    accounts = await shared.open('accounts');
    groups = await shared.open('groups');
    await migrate(accounts, [{ id: '0001_users', sql: 'CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);' }]);
    await migrate(groups, [{ id: '0001_members', sql: 'CREATE TABLE members (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);' }]);
  });

  afterAll(async () => {
    await accounts.close();
    await groups.close();
  });

  it("resolves a service's names in its own schema, each with its own migrations table", async () => {
    await accounts.query(`INSERT INTO users VALUES (1, 'ada')`);
    expect((await accounts.query<{ schema: string }>('SELECT current_schema() AS schema')).rows).toEqual([{ schema: 'accounts' }]);
    expect((await groups.query<{ schema: string }>('SELECT current_schema() AS schema')).rows).toEqual([{ schema: 'groups' }]);
    expect((await accounts.query('SELECT id FROM schema_migrations')).rows).toEqual([{ id: '0001_users' }]);
    expect((await groups.query('SELECT id FROM schema_migrations')).rows).toEqual([{ id: '0001_members' }]);
  });

  it("keeps a service out of another's tables, even by their qualified name, and out of shared places", async () => {
    await expect(groups.query('SELECT * FROM users')).rejects.toMatchObject({ code: '42P01' });
    await expect(groups.query('SELECT * FROM accounts.users')).rejects.toMatchObject({ code: '42501' });
    await expect(groups.query(`INSERT INTO accounts.users VALUES (2, 'eve')`)).rejects.toMatchObject({ code: '42501' });
    await expect(groups.query('CREATE TABLE public.loot (id int)')).rejects.toMatchObject({ code: '42501' });
    await expect(groups.query('CREATE SCHEMA loot')).rejects.toMatchObject({ code: '42501' });
    await expect(groups.query('DROP SCHEMA accounts CASCADE')).rejects.toMatchObject({ code: '42501' });
    expect((await accounts.query('SELECT name FROM users')).rows).toEqual([{ name: 'ada' }]);
  });

  it('gives every service the extensions, wherever the first one asked for them', async () => {
    await migrate(groups, [
      { id: '0001_members', sql: '' },
      {
        id: '0002_search',
        sql: 'CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE TABLE labels (body text);\nCREATE INDEX labels_trgm ON labels USING gin (body gin_trgm_ops);',
      },
    ]);
    expect((await accounts.query<{ s: number }>(`SELECT similarity('parley', 'parlay') > 0.3 AS s`)).rows).toEqual([{ s: true }]);
  });

  it('refuses names that are not a plain service name', async () => {
    for (const name of ['public', 'extensions', 'pg_catalog', 'postgres', 'Accounts', 'a-b', 'x; DROP TABLE users']) {
      await expect(shared.open(name)).rejects.toThrow(/cannot name a schema/);
    }
  });

  it("serialises two services' transactions: neither sees the other's half-done work, and each keeps its own schema throughout", async () => {
    const order: string[] = [];
    let begun!: () => void;
    const accountsBegun = new Promise<void>((resolve) => (begun = resolve));
    let asked!: () => void;
    const groupsAsked = new Promise<void>((resolve) => (asked = resolve));
    // accounts' transaction waits in the middle until groups has asked for the connection.
    const accountsWork = accounts
      .transaction(async (tx) => {
        order.push('accounts begins');
        await tx.query(`INSERT INTO users VALUES (10, 'held')`);
        begun();
        await groupsAsked;
        // Still accounts' schema, though groups asked for the connection meanwhile.
        const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE id = 10');
        order.push(`accounts sees its row: ${rows[0]?.n}`);
        throw new Error('roll back');
      })
      .catch((error: Error) => order.push(`accounts ${error.message}`));
    const groupsWork = (async () => {
      await accountsBegun;
      order.push('groups asks');
      const insert = groups.query('INSERT INTO members (id) VALUES (10)');
      asked();
      await insert;
      await groups.transaction(async (tx) => {
        await tx.query('UPDATE members SET n = n + 1 WHERE id = 10');
      });
      order.push('groups done');
    })();
    await Promise.all([accountsWork, groupsWork]);
    expect(order).toEqual(['accounts begins', 'groups asks', 'accounts sees its row: 1', 'accounts roll back', 'groups done']);
    expect((await accounts.query('SELECT * FROM users WHERE id = 10')).rows).toEqual([]);
    expect((await groups.query('SELECT n FROM members WHERE id = 10')).rows).toEqual([{ n: 1 }]);
  });

  it('loses no update when many transactions of three services read, wait and write at once', async () => {
    const messages = await shared.open('messages');
    await migrate(messages, [{ id: '0001_counter', sql: 'CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);\nINSERT INTO counter VALUES (1, 0);' }]);
    await accounts.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await accounts.query('INSERT INTO counter VALUES (1, 0)');
    await groups.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await groups.query('INSERT INTO counter VALUES (1, 0)');
    const services = [accounts, groups, messages];
    // Read, yield to everything else queued, write: interleaved transactions would lose increments.
    const increment = (db: Db) =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
        await new Promise((resolve) => setImmediate(resolve));
        await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [(rows[0]?.n ?? 0) + 1]);
      });
    await Promise.all(Array.from({ length: 90 }, (_, i) => increment(services[i % 3]!)));
    for (const db of services) expect((await db.query('SELECT n FROM counter')).rows).toEqual([{ n: 30 }]);
    expect(messages.poolStats?.()).toEqual({ total: 1, idle: 1, waiting: 0 });
    await messages.close();
    // One service closing leaves the others' connection open.
    expect(await accounts.ping()).toBe(true);
    await expect(messages.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});

describe('the shared instance on disk', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-shared-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every schema, role and row across a restart, and closes with its last service', async () => {
    const dataDir = join(dir, 'pg');
    let shared = await createSharedPglite(dataDir);
    // Made in a child process, then renamed into place: nothing half-made is left beside it.
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(readdirSync(dir)).toEqual(['pg']);
    let accounts = await shared.open('accounts');
    let groups = await shared.open('groups');
    await accounts.query('CREATE TABLE users (id int PRIMARY KEY)');
    await accounts.query('INSERT INTO users VALUES (1), (2)');
    await groups.query('CREATE TABLE members (id int PRIMARY KEY)');
    await accounts.close();
    expect(await groups.ping()).toBe(true);
    await groups.close();
    expect(await groups.ping()).toBe(false);

    shared = await createSharedPglite(dataDir);
    accounts = await shared.open('accounts');
    groups = await shared.open('groups');
    expect((await accounts.query('SELECT id FROM users ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
    await expect(groups.query('SELECT * FROM accounts.users')).rejects.toMatchObject({ code: '42501' });
    await shared.close();
    expect(await accounts.ping()).toBe(false);
  });

  it('refuses a folder that holds something other than a database, and leaves it as it is', async () => {
    const stranger = join(dir, 'stranger');
    mkdirSync(stranger);
    writeFileSync(join(stranger, 'notes.txt'), 'mine');
    await expect(createSharedPglite(stranger)).rejects.toThrow(/not empty and holds no PostgreSQL data folder/);
    expect(readdirSync(stranger)).toEqual(['notes.txt']);
  });
});
