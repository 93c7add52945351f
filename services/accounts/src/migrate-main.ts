import { createLogger, loadConfigOrExit, migrateOnce } from '@parley/kit';
import { accountsConfigSchema } from './config.ts';
import { accountsMigrations } from './db/migrations.ts';

// Applies the accounts migrations to ACCOUNTS_DATABASE_URL and exits: the migration Job of
// deploy/k8s runs it before a rollout (the image's command with dist/migrate-main.js).
const config = loadConfigOrExit(accountsConfigSchema);
const logger = createLogger('accounts-migrate', config.LOG_LEVEL);
await migrateOnce({ service: 'accounts', url: config.ACCOUNTS_DATABASE_URL, migrations: accountsMigrations, logger }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
});
