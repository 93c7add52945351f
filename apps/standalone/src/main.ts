import { ConfigError, createLogger, runUntilSignal } from '@parley/kit';
import { startPlatform } from './platform.ts';

// `npm start`: the whole platform in one process on embedded defaults.
const logger = createLogger('platform', process.env.LOG_LEVEL ?? 'info');
try {
  const platform = await startPlatform(process.env);
  process.stdout.write(`\nParley is running at ${platform.url}  (Ctrl-C to stop)\n\n`);
  runUntilSignal(logger, () => platform.stop());
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  logger.fatal({ err: error }, 'Parley could not start');
  process.exit(1);
}
