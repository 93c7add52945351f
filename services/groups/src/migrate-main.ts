import { createLogger, loadConfigOrExit, migrateOnce } from '@parley/kit';
import { groupsConfigSchema } from './config.ts';
import { groupsMigrations } from './db/migrations.ts';

// Applies the groups migrations to GROUPS_DATABASE_URL and exits: the migration Job of
// deploy/k8s runs it before a rollout (the image's command with dist/migrate-main.js).
const config = loadConfigOrExit(groupsConfigSchema);
const logger = createLogger('groups-migrate', config.LOG_LEVEL);
await migrateOnce({ service: 'groups', url: config.GROUPS_DATABASE_URL, migrations: groupsMigrations, logger }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
});
