import { migrate } from './db/migrate.ts';
import { createPostgresDb } from './db/postgres.ts';
import type { Logger } from './logger.ts';
import type { Migration } from './ports.ts';

/**
 * The body of a service's migrate-main.ts: applies the service's migrations to its PostgreSQL
 * database, then returns. Kubernetes runs it as a Job before each rollout (deploy/k8s), so new
 * pods start on a schema that is already there; the services' own start-up applies the same
 * list again harmlessly (advisory lock, applied ids skipped). Without a database URL there is
 * nothing to migrate: that is a mistake in the Job's settings, not an embedded database to
 * create, so it throws.
 */
export async function migrateOnce(options: { service: string; url: string | undefined; migrations: readonly Migration[]; logger: Logger }): Promise<string[]> {
  const { service, url, migrations, logger } = options;
  if (!url) throw new Error(`${service}: no database URL is set, so there is no database to migrate`);
  const db = createPostgresDb(url);
  try {
    const applied = await migrate(db, migrations);
    logger.info({ applied, known: migrations.length }, applied.length > 0 ? 'migrations applied' : 'schema already up to date');
    return applied;
  } finally {
    await db.close();
  }
}
