import { ConfigError, createLogger, runUntilSignal } from '@parley/kit';
import { startPlatform } from './platform.ts';
import { ensureWebBuilt } from './web-build.ts';

// `npm start`: the whole platform in one process on embedded defaults, and the web app built
// first when it is missing or out of date (unless WEB_DIST_DIR points at a build made elsewhere).
const logger = createLogger('platform', process.env.LOG_LEVEL ?? 'info');
try {
  if (!process.env.WEB_DIST_DIR) await ensureWebBuilt();
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
