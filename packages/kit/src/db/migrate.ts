import type { Db, Migration, Queryable } from '../ports.ts';

/**
 * Applies the service's migrations that have not run yet, in id order, in one transaction
 * together with their bookkeeping rows. An advisory lock keeps two instances of a
 * service starting at once from applying the same migration twice.
 */
export async function migrate(db: Db, migrations: readonly Migration[]): Promise<string[]> {
  // Untimed: DATABASE_QUERY_TIMEOUT_MS is for the statements of requests and jobs. A migration
  // may legitimately run for minutes (an index built on a large table), and so may the wait for
  // the advisory lock while another instance migrates; cut, it would fail every start-up.
  return db.transaction((tx) => applyMigrations(tx, migrations), { untimed: true });
}

/** migrate()'s work inside a transaction the caller holds (importing older data does more in the same one). */
export async function applyMigrations(tx: Queryable, migrations: readonly Migration[]): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => a.id.localeCompare(b.id));
  await tx.query('SELECT pg_advisory_xact_lock(7243001)');
  await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await tx.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
  const applied: string[] = [];
  for (const migration of ordered) {
    if (done.has(migration.id)) continue;
    for (const statement of splitStatements(migration.sql)) await tx.query(statement);
    await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
    applied.push(migration.id);
  }
  return applied;
}

/**
 * Splits a migration file on semicolons that end a line, outside dollar-quoted bodies, so each
 * statement runs through the extended protocol on both PostgreSQL and PGlite.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (line.trim().startsWith('--') && !inDollar) continue;
    current += `${line}\n`;
    const dollars = line.match(/\$\$/g)?.length ?? 0;
    if (dollars % 2 === 1) inDollar = !inDollar;
    if (!inDollar && line.trimEnd().endsWith(';')) {
      statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
