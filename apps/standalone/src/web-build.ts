import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface WebBuildOptions {
  /** The web app's folder (apps/web). */
  webDir?: string;
  /** Where the build goes (the gateway's WEB_DIST_DIR). */
  distDir?: string;
  /** Files and folders outside webDir the build reads (shared contracts, the lockfile). */
  extraSources?: string[];
  /** Rebuild even when the build looks up to date. */
  force?: boolean;
  log?: (line: string) => void;
  /** Builds the app into outDir (default: `vite build --outDir`). */
  build?: (webDir: string, outDir: string) => Promise<void>;
}

export type WebBuildOutcome = 'up-to-date' | 'built' | 'no-app' | 'failed';

/** Written into the build: the newest source time it was made from. A dotfile, never served. */
const STAMP = '.parley-build.json';
/** Not sources: outputs, dependencies, tests and the end-to-end suite's own files. */
const NOT_SOURCES = new Set(['dist', 'node_modules', 'e2e', 'test', 'coverage']);

/**
 * `npm start` serves the web app with no extra step: builds apps/web into its dist folder when
 * that is missing or older than the sources, and says so. Up to date, it costs a walk of the
 * source tree's timestamps (a few milliseconds). The build goes to a temporary sibling folder
 * that replaces dist only once complete, so a failed or interrupted build never leaves a
 * half-written dist: the gateway serves the previous build, or its status page.
 */
export async function ensureWebBuilt(options: WebBuildOptions = {}): Promise<WebBuildOutcome> {
  const webDir = options.webDir ?? join(repoRoot, 'apps', 'web');
  const distDir = options.distDir ?? join(webDir, 'dist');
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!existsSync(join(webDir, 'package.json'))) return 'no-app';

  const extraSources = options.extraSources ?? [join(repoRoot, 'packages', 'contracts', 'src'), join(repoRoot, 'package-lock.json')];
  const sourcesMtimeMs = Math.max(newestMtime(webDir, true), ...extraSources.map((path) => newestMtime(path, false)));
  const builtFrom = stampOf(distDir);
  if (!options.force && builtFrom !== undefined && builtFrom >= sourcesMtimeMs) return 'up-to-date';

  const reason = options.force ? 'asked to' : builtFrom === undefined ? 'not built yet' : 'sources changed since the last build';
  log(`Building the web app (${reason}) ...`);
  const started = Date.now();
  const tmpDir = join(dirname(distDir), `.dist-${process.pid}-${started}`);
  const oldDir = `${tmpDir}-old`;
  try {
    await (options.build ?? viteBuild)(webDir, tmpDir);
    if (!existsSync(join(tmpDir, 'index.html'))) throw new Error('the build wrote no index.html');
    writeFileSync(join(tmpDir, STAMP), JSON.stringify({ sourcesMtimeMs, builtAt: new Date().toISOString() }));
    // Two renames: dist is missing only between them, never half-written.
    if (existsSync(distDir)) renameSync(distDir, oldDir);
    renameSync(tmpDir, distDir);
    rmSync(oldDir, { recursive: true, force: true });
    log(`Web app built in ${((Date.now() - started) / 1000).toFixed(1)} s (${sizeOf(distDir)}).`);
    return 'built';
  } catch (error) {
    rmSync(tmpDir, { recursive: true, force: true });
    if (existsSync(oldDir) && !existsSync(distDir)) renameSync(oldDir, distDir);
    const kept = existsSync(join(distDir, 'index.html')) ? 'the previous build is served' : '/ shows the status page';
    log(`The web app could not be built (${error instanceof Error ? error.message : String(error)}); ${kept}.`);
    return 'failed';
  }
}

/** The newest modification time under path (files and folders: a removal changes its folder's). */
function newestMtime(path: string, top: boolean): number {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  // The top folder's own time changes whenever dist is replaced: only what is inside counts.
  let newest = top ? 0 : stats.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || (top && NOT_SOURCES.has(entry.name))) continue;
    if (entry.isDirectory() && entry.name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name), false));
  }
  return newest;
}

/**
 * The source time a build was made from: its stamp, or for a build made by the app's own
 * `npm run build` (no stamp) the time its index.html was written. Undefined: no build.
 */
function stampOf(distDir: string): number | undefined {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(join(distDir, STAMP), 'utf8')) as { sourcesMtimeMs?: unknown };
    if (typeof stamp.sourcesMtimeMs === 'number') return stamp.sourcesMtimeMs;
  } catch {
    // no stamp: fall through
  }
  return statSync(index).mtimeMs;
}

function sizeOf(dir: string): string {
  let bytes = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
      else bytes += statSync(join(path, entry.name)).size;
    }
  };
  walk(dir);
  return `${(bytes / 1024).toFixed(0)} KB`;
}

/** `vite build --outDir <outDir>` with the app's own config, its output shown as it goes. */
async function viteBuild(webDir: string, outDir: string): Promise<void> {
  let viteBin: string;
  try {
    const vitePackage = createRequire(join(webDir, 'package.json')).resolve('vite/package.json');
    viteBin = join(dirname(vitePackage), 'bin', 'vite.js');
  } catch {
    throw new Error('vite is not installed: run npm install');
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir'], {
      cwd: webDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${signal ?? code}`))));
  });
}
