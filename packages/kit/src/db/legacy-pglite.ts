import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Migration } from '../ports.ts';
import { applyMigrations } from './migrate.ts';
import { startPglite, wrapPglite } from './pglite.ts';
import type { SharedPglite } from './shared-pglite.ts';

/** Data an earlier version left that this one will not take on its own: said to the operator, nothing started. */
export class EmbeddedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDataError';
  }
}

export interface LegacyImport {
  service: string;
  tables: number;
  rows: number;
  /** Where the old folder is now, kept until the operator deletes it. */
  keptAt: string;
}

interface TableData {
  name: string;
  columns: string[];
  blob: Blob | undefined;
  rows: number;
}

/** The old folder of a service, as earlier versions of `npm start` wrote it. */
export const legacyFolder = (dataDir: string, service: string): string => join(dataDir, service, 'pg');

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Who holds what, written in the shared database's `public` schema (the owner's; no service can write it). */
const IMPORTS_TABLE = `CREATE TABLE IF NOT EXISTS public.parley_imports (
  service text PRIMARY KEY, imported_at timestamptz NOT NULL DEFAULT now(), tables int NOT NULL, rows bigint NOT NULL)`;

/**
 * Earlier versions of `npm start` gave each service a PGlite data folder of its own
 * (DATA_DIR/<service>/pg); this one keeps every service in one (createSharedPglite). On the
 * first start after the upgrade, each old folder is copied into the service's schema: the
 * migrations the old database had, then every table's rows (COPY, foreign keys unchecked
 * while loading, generated columns recomputed) and its sequences' positions, all in one
 * transaction with a row in public.parley_imports. The old folder is then renamed
 * `pg.imported`, not deleted, so nothing is lost if anything goes wrong; the operator deletes
 * it once satisfied.
 *
 * Returns undefined when there is no old folder. Throws EmbeddedDataError, having changed
 * nothing, when the old folder was written by a newer version (migrations this one does not
 * know) or when the shared database already holds the service's data without having imported
 * it (an old folder put back by hand: which copy is right is the operator's call).
 */
export async function importLegacyPglite(options: {
  shared: SharedPglite;
  dataDir: string;
  service: string;
  migrations: readonly Migration[];
}): Promise<LegacyImport | undefined> {
  const { shared, dataDir, service, migrations } = options;
  const from = legacyFolder(dataDir, service);
  if (!existsSync(join(from, 'PG_VERSION'))) return undefined;

  const state = await shared.asOwner(async (lite) => {
    await lite.exec(IMPORTS_TABLE);
    const imported = await lite.query('SELECT 1 FROM public.parley_imports WHERE service = $1', [service]);
    const schemaTable = await lite.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [`${service}.schema_migrations`]);
    return { imported: imported.rows.length > 0, hasData: schemaTable.rows[0]?.found != null };
  });
  // Imported by an earlier start that stopped before the rename: finish the rename only.
  if (state.imported) return { service, tables: 0, rows: 0, keptAt: keep(from) };
  if (state.hasData) {
    throw new EmbeddedDataError(
      `${from} holds the ${service} data of an earlier version of Parley, but the database at ${join(dataDir, 'pg')} ` +
        `already has ${service} data of its own. Nothing was changed. Move ${from} out of DATA_DIR to keep the current data, ` +
        `or move ${join(dataDir, 'pg')} away (it holds every service) to import the old folder instead.`,
    );
  }

  const old = await readLegacy(from, service, migrations);
  await shared.ensureSchema(service);
  const copied = await shared.asOwner((lite) =>
    lite.transaction(async (tx) => {
      // The schema as the old database had it, made by the service's role so it owns every object.
      await tx.exec(`SET LOCAL ROLE ${service}; SET LOCAL search_path TO ${service}, extensions`);
      await applyMigrations(wrapPglite(tx), old.migrations);
      await tx.exec('SET LOCAL ROLE NONE; SET LOCAL session_replication_role = replica');
      let rows = 0;
      for (const table of old.tables) {
        if (!table.blob) continue;
        const columns = table.columns.map(quote).join(', ');
        await tx.query(`COPY ${service}.${quote(table.name)} (${columns}) FROM '/dev/blob'`, [], { blob: table.blob });
        rows += table.rows;
      }
      for (const sequence of old.sequences) {
        await tx.query(`SELECT setval($1, $2, $3)`, [`${service}.${quote(sequence.name)}`, sequence.lastValue, sequence.isCalled]);
      }
      await tx.query('INSERT INTO public.parley_imports (service, tables, rows) VALUES ($1, $2, $3)', [service, old.tables.length, rows]);
      return rows;
    }),
  );
  return { service, tables: old.tables.length, rows: copied, keptAt: keep(from) };
}

/** Everything of the old folder's `public` schema, read with the old folder opened on its own and closed again. */
async function readLegacy(from: string, service: string, known: readonly Migration[]) {
  const old = await startPglite(from);
  try {
    const hasMigrations = await old.query<{ found: string | null }>(`SELECT to_regclass('public.schema_migrations')::text AS found`);
    const ids = hasMigrations.rows[0]?.found ? (await old.query<{ id: string }>('SELECT id FROM public.schema_migrations')).rows.map((r) => r.id) : [];
    const unknown = ids.filter((id) => !known.some((m) => m.id === id));
    if (unknown.length > 0) {
      throw new EmbeddedDataError(
        `${from} was written by a newer version of Parley (${service} migrations ${unknown.join(', ')} are unknown to this one). Nothing was changed: run the newer version.`,
      );
    }
    const tableNames = (
      await old.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations' ORDER BY c.relname`,
      )
    ).rows.map((r) => r.name);
    const tables: TableData[] = [];
    for (const name of tableNames) tables.push(await readTable(old, name));
    const sequences = (await old.query<{ name: string }>(`SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename`)).rows;
    const positions = [];
    for (const { name } of sequences) {
      const { rows } = await old.query<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM public.${quote(name)}`);
      positions.push({ name, lastValue: rows[0]?.last_value, isCalled: rows[0]?.is_called });
    }
    return { migrations: known.filter((m) => ids.includes(m.id)), tables, sequences: positions };
  } finally {
    await old.close();
  }
}

/** A table's stored columns (generated ones are computed again on load) and its rows in COPY's text format. */
async function readTable(old: PGlite, name: string): Promise<TableData> {
  const columns = (
    await old.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [`public.${quote(name)}`],
    )
  ).rows.map((r) => r.name);
  const count = await old.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM public.${quote(name)}`);
  const rows = count.rows[0]?.rows ?? 0;
  if (rows === 0) return { name, columns, blob: undefined, rows };
  const result = await old.query(`COPY public.${quote(name)} (${columns.map(quote).join(', ')}) TO '/dev/blob'`);
  return { name, columns, blob: result.blob, rows };
}

/** Renames the old folder out of the way (`pg.imported`, or with a number if that exists). */
function keep(from: string): string {
  let to = `${from}.imported`;
  for (let n = 2; existsSync(to); n++) to = `${from}.imported-${n}`;
  renameSync(from, to);
  return to;
}
