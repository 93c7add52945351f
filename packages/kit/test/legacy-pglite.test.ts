import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedDataError, importLegacyPglite } from '../src/db/legacy-pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPgliteDb } from '../src/db/pglite.ts';
import { createSharedPglite, type SharedPglite } from '../src/db/shared-pglite.ts';
import type { Migration } from '../src/ports.ts';

// Earlier versions of `npm start` kept DATA_DIR/<service>/pg per service; this one imports them
// into the service's schema of DATA_DIR/pg on the first start.
const v1: Migration[] = [
  {
    id: '0001_notes',
    sql: `CREATE TABLE authors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE notes (
  id uuid PRIMARY KEY, author_id bigint NOT NULL REFERENCES authors (id), body text NOT NULL, tags text[] NOT NULL DEFAULT '{}',
  meta jsonb, written_at timestamptz NOT NULL,
  search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED
);
CREATE INDEX notes_search ON notes USING gin (search);
CREATE FUNCTION note_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM notes $$;`,
  },
];
const v2: Migration[] = [...v1, { id: '0002_pinned', sql: 'ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;' }];

// Each test opens two or three PGlite instances on disk: seconds each on a busy machine.
describe('importing the per-service data folders of earlier versions', { timeout: 180_000 }, () => {
  let dataDir: string;
  let shared: SharedPglite | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-legacy-'));
  });
  afterEach(async () => {
    await shared?.close();
    shared = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The old layout, written the way the earlier version did: a PGlite instance of its own. */
  async function writeLegacy(service: string, migrations: readonly Migration[]) {
    const old = await createPgliteDb(join(dataDir, service, 'pg'));
    await migrate(old, migrations);
    await old.query(`INSERT INTO authors (name) VALUES ('ada'), ('grace'), ('gone')`);
    await old.query(`DELETE FROM authors WHERE name = 'gone'`);
    await old.query(
      `INSERT INTO notes (id, author_id, body, tags, meta, written_at) VALUES
        ('00000000-0000-4000-8000-000000000001', 1, 'Tabs, "quotes" and \\ backslashes	here', '{a,b}', '{"k": [1, null]}', '2026-01-02T03:04:05.678Z'),
        ('00000000-0000-4000-8000-000000000002', 2, E'two\\nlines, running quickly', '{}', NULL, '2026-01-03T00:00:00Z')`,
    );
    await old.close();
  }

  it("copies every row into the service's schema, keeps the old folder aside, and lets the service migrate on", async () => {
    await writeLegacy('accounts', v1);
    shared = await createSharedPglite(join(dataDir, 'pg'));
    const imported = await importLegacyPglite({ shared, dataDir, service: 'accounts', migrations: v2 });
    expect(imported).toEqual({ service: 'accounts', tables: 2, rows: 4, keptAt: join(dataDir, 'accounts', 'pg.imported') });
    expect(readdirSync(join(dataDir, 'accounts'))).toEqual(['pg.imported']);

    const db = await shared.open('accounts');
    // Only the migration the old folder lacked is left to apply.
    expect(await migrate(db, v2)).toEqual(['0002_pinned']);
    const notes = await db.query(`SELECT id, author_id, body, tags, meta, written_at, pinned FROM notes ORDER BY id`);
    expect(notes.rows).toEqual([
      {
        id: '00000000-0000-4000-8000-000000000001',
        author_id: 1,
        body: 'Tabs, "quotes" and \\ backslashes\there',
        tags: ['a', 'b'],
        meta: { k: [1, null] },
        written_at: new Date('2026-01-02T03:04:05.678Z'),
        pinned: false,
      },
      {
        id: '00000000-0000-4000-8000-000000000002',
        author_id: 2,
        body: 'two\nlines, running quickly',
        tags: [],
        meta: null,
        written_at: new Date('2026-01-03T00:00:00Z'),
        pinned: false,
      },
    ]);
    // Generated columns computed again, indexes built, functions there, the identity past the old rows.
    expect((await db.query(`SELECT id FROM notes WHERE search @@ to_tsquery('english', 'run')`)).rows).toHaveLength(1);
    expect((await db.query('SELECT note_count() AS n')).rows).toEqual([{ n: 2 }]);
    expect((await db.query(`INSERT INTO authors (name) VALUES ('new') RETURNING id`)).rows).toEqual([{ id: 4 }]);
    // Foreign keys hold again once loaded.
    await expect(db.query(`INSERT INTO notes (id, author_id, body, written_at) VALUES (gen_random_uuid(), 3, 'x', now())`)).rejects.toMatchObject({
      code: '23503',
    });
    // Nothing left to import the next time.
    expect(await importLegacyPglite({ shared, dataDir, service: 'accounts', migrations: v2 })).toBeUndefined();
    await db.close();
  });

  it('does nothing for a service whose old folder never existed', async () => {
    shared = await createSharedPglite(join(dataDir, 'pg'));
    expect(await importLegacyPglite({ shared, dataDir, service: 'groups', migrations: v1 })).toBeUndefined();
  });

  it('only finishes the rename when an earlier start imported the folder and stopped before moving it', async () => {
    await writeLegacy('accounts', v1);
    shared = await createSharedPglite(join(dataDir, 'pg'));
    await importLegacyPglite({ shared, dataDir, service: 'accounts', migrations: v1 });
    cpSync(join(dataDir, 'accounts', 'pg.imported'), join(dataDir, 'accounts', 'pg'), { recursive: true });
    const again = await importLegacyPglite({ shared, dataDir, service: 'accounts', migrations: v1 });
    expect(again).toMatchObject({ rows: 0, keptAt: join(dataDir, 'accounts', 'pg.imported-2') });
    const db = await shared.open('accounts');
    expect((await db.query('SELECT count(*)::int AS n FROM notes')).rows).toEqual([{ n: 2 }]);
    await db.close();
  });

  it('changes nothing when the shared database already has the service data of its own', async () => {
    shared = await createSharedPglite(join(dataDir, 'pg'));
    const db = await shared.open('accounts');
    await migrate(db, v1);
    await writeLegacy('accounts', v1);
    const attempt = importLegacyPglite({ shared, dataDir, service: 'accounts', migrations: v1 });
    await expect(attempt).rejects.toBeInstanceOf(EmbeddedDataError);
    await expect(attempt).rejects.toThrow(/already has accounts data of its own. Nothing was changed/);
    expect(existsSync(join(dataDir, 'accounts', 'pg', 'PG_VERSION'))).toBe(true);
    expect((await db.query('SELECT count(*)::int AS n FROM notes')).rows).toEqual([{ n: 0 }]);
    await db.close();
  });

  it('refuses a folder written by a newer version, before creating anything', async () => {
    await writeLegacy('accounts', v2);
    shared = await createSharedPglite(join(dataDir, 'pg'));
    const attempt = importLegacyPglite({ shared, dataDir, service: 'accounts', migrations: v1 });
    await expect(attempt).rejects.toThrow(/newer version of Parley \(accounts migrations 0002_pinned are unknown/);
    expect(existsSync(join(dataDir, 'accounts', 'pg', 'PG_VERSION'))).toBe(true);
    const schema = await shared.asOwner((lite) => lite.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'accounts'`));
    expect(schema.rows).toEqual([]);
  });
});
