import { setFlagsFromString } from 'node:v8';
import { ConfigError, createLogger, EmbeddedDataError, PortUnavailableError, runUntilSignal } from '@parley/kit';
import { preflight, startPlatform } from './platform.ts';
import { startupSummary } from './summary.ts';
import { ensureWebBuilt } from './web-build.ts';

// `npm start`: the whole platform in one process on embedded defaults, and the web app built
// first when it is missing or out of date (unless WEB_DIST_DIR points at a build made elsewhere).

// The embedded database's WASM compiled by V8's baseline compiler only (before PGlite compiles
// it, on the first database opened). Optimising its hot functions again kept ~45 MB of compiler
// memory resident and cost more CPU than it saved over a first evening's use (bench/RESULTS.md,
// "Standalone memory"). Only here: services run on their own keep V8's defaults.
setFlagsFromString('--liftoff-only');
try {
  // A bad variable or a taken port is said before the build and the databases take their time.
  await preflight(process.env);
  if (!process.env.WEB_DIST_DIR) await ensureWebBuilt();
  const platform = await startPlatform(process.env);
  process.stdout.write(startupSummary(platform));
  runUntilSignal(createLogger('platform', platform.layout.logLevel), () => platform.stop());
} catch (error) {
  // What an operator fixes in the environment or the data folder is said plainly, in one message.
  if (error instanceof ConfigError || error instanceof PortUnavailableError || error instanceof EmbeddedDataError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  createLogger('platform').fatal({ err: error }, 'Parley could not start');
  process.exit(1);
}
