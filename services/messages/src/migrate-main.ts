import { createLogger, loadConfigOrExit, migrateOnce } from '@parley/kit';
import { messagesConfigSchema } from './config.ts';
import { messagesMigrations } from './db/migrations.ts';

// Applies the messages migrations to MESSAGES_DATABASE_URL and exits: the migration Job of
// deploy/k8s runs it before a rollout (the image's command with dist/migrate-main.js).
const config = loadConfigOrExit(messagesConfigSchema);
const logger = createLogger('messages-migrate', config.LOG_LEVEL);
await migrateOnce({ service: 'messages', url: config.MESSAGES_DATABASE_URL, migrations: messagesMigrations, logger }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'migration failed');
  process.exitCode = 1;
});
