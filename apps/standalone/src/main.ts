import { ConfigError, createLogger, PortUnavailableError, runUntilSignal } from '@parley/kit';
import { startPlatform } from './platform.ts';
import { startupSummary } from './summary.ts';
import { ensureWebBuilt } from './web-build.ts';

// `npm start`: the whole platform in one process on embedded defaults, and the web app built
// first when it is missing or out of date (unless WEB_DIST_DIR points at a build made elsewhere).
try {
  if (!process.env.WEB_DIST_DIR) await ensureWebBuilt();
  const platform = await startPlatform(process.env);
  process.stdout.write(startupSummary(platform));
  runUntilSignal(createLogger('platform', platform.layout.logLevel), () => platform.stop());
} catch (error) {
  // What an operator fixes in the environment is said plainly, in one message, before anything started.
  if (error instanceof ConfigError || error instanceof PortUnavailableError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  createLogger('platform').fatal({ err: error }, 'Parley could not start');
  process.exit(1);
}
