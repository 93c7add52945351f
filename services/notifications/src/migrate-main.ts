import { createLogger, loadConfigOrExit, migrateOnce } from '@parley/kit';
import { notificationsConfigSchema } from './config.ts';
import { notificationsMigrations } from './db/migrations.ts';

// Applies the notifications migrations to NOTIFICATIONS_DATABASE_URL and exits: the migration Job of
// deploy/k8s runs it before a rollout (the image's command with dist/migrate-main.js).
const config = loadConfigOrExit(notificationsConfigSchema);
const logger = createLogger('notifications-migrate', config.LOG_LEVEL);
await migrateOnce({ service: 'notifications', url: config.NOTIFICATIONS_DATABASE_URL, migrations: notificationsMigrations, logger }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
});
