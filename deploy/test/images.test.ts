/**
 * Every image of deploy/docker/Dockerfile, reproduced without Docker: for each target, a
 * temporary folder stands in for the image's /app, filled the way the Dockerfile fills it
 *
 *   - the manifests (lockfile, every workspace's package.json);
 *   - the deps stage's own install command, run there as written (with --prefer-offline
 *     added, so the npm cache the repository's install filled is reused), once: every image
 *     shares that node_modules;
 *   - the build stage's own build command, run in the repository, whose outputs the target's
 *     `COPY --from=build` lines then copy in, and the target's other COPY sources;
 *
 * then the target's CMD runs there with the target's ENV (DATA_DIR moved into the folder,
 * ephemeral ports) and must answer /healthz, pass the image's HEALTHCHECK command, and exit 0
 * on SIGTERM (its drain). The compiled gateway, pointed at the compiled accounts service, must
 * answer /readyz 200: the smoke test of the build. Nothing outside the folder is on the
 * process's module path, so a dependency missing from the production install, or a file
 * missing from dist/, fails here.
 *
 * Slow (one `npm ci --omit=dev`, the build, six processes on embedded PGlite databases): it is
 * the one file that installs and builds; the static checks of the Dockerfile are in
 * dockerfile.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile, resolveTarget, runsOf, stageNamed, withoutRunFlags, type Target } from './lib/dockerfile.ts';
import { pollStatus, start, type Started } from './lib/process.ts';
import { copyManifests, IMAGE_PROCESSES } from './lib/repo.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { stages } = parseDockerfile(join(repoRoot, 'deploy/docker/Dockerfile'));
const targets = new Map(IMAGE_PROCESSES.map((name) => [name, resolveTarget(stages, name)]));

/** Packages that must never be in a production image. */
const BUILD_TOOLS = ['tsx', 'esbuild', '@esbuild', 'typescript', 'vitest', 'vite', 'eslint', '@bufbuild/buf', 'ts-proto'];

/** The environment of a `docker build` step: none of vitest's (NODE_ENV=test would make Vite build React's development bundle). */
const buildEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST') && name !== 'TEST'));
const sh = (command: string, cwd: string) =>
  execFileSync('sh', ['-c', command], { cwd, env: buildEnv, stdio: 'pipe', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const kib = (path: string) => Number(sh(`du -sk ${path} | cut -f1`, repoRoot).trim());

const scratch = mkdtempSync(join(tmpdir(), 'parley-images-'));
/** Stands in for /app: one folder, since the images differ only in the dist/ they add. */
const appDir = join(scratch, 'app');
const running: Started[] = [];
const startups = new Map<string, ReturnType<typeof run>>();
const sizes: Record<string, number> = {};

/** Lays in a target's COPY sources that do not come from the manifests or deps stages. */
function layIn(target: Target): void {
  for (const copy of target.copies) {
    if (copy.from === 'manifests' || copy.from === 'deps') continue;
    for (const source of copy.sources) {
      const from = join(repoRoot, copy.from === 'build' ? source.replace(/^\/app\//, '') : source);
      cpSync(from, join(appDir, copy.destination), { recursive: true });
    }
  }
}

/** The target's environment, as the image sets it, with its writable path and ports moved here. */
function envOf(target: Target, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...target.env,
    DATA_DIR: join(dir, 'data', target.name),
    PORT: '0',
    GRPC_PORT: '0',
    // Metrics on ephemeral ports too: their defaults are fixed (9080, 9101…) and two gateways run here.
    METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

async function run(target: Target, extra: Record<string, string> = {}): Promise<{ process: Started; url?: string; dir: string }> {
  const dir = appDir;
  const [command = '', ...args] = target.cmd;
  const started = start(command, args, { cwd: dir, env: envOf(target, dir, extra) });
  running.push(started);
  if (target.name.endsWith('-worker')) {
    await started.waitFor(/worker ready/);
    return { process: started, dir };
  }
  const match = await started.waitFor(/Server listening at http:\/\/[^"\s]+?:(\d+)/);
  return { process: started, url: `http://127.0.0.1:${match[1]}`, dir };
}

/** The image's HEALTHCHECK command, run in the folder: its exit status. */
function healthcheck(target: Target, dir: string, port: string | undefined): number {
  const [command = '', ...args] = target.healthcheck.map((part) => part.replace(/^\/app\//, `${dir}/`));
  try {
    execFileSync(command, args, { cwd: dir, env: { ...envOf(target, dir), ...(port ? { PORT: port } : {}) }, stdio: 'pipe' });
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

beforeAll(() => {
  // The build stage's own command (compiled workspaces, the web app when it exists), here.
  for (const build of runsOf(stageNamed(stages, 'build'))
    .map(withoutRunFlags)
    .filter((line) => !line.startsWith('npm ci')))
    sh(build, repoRoot);
  // The deps stage's own install, once.
  mkdirSync(appDir, { recursive: true });
  copyManifests(repoRoot, appDir);
  const [install = ''] = runsOf(stageNamed(stages, 'deps')).map(withoutRunFlags);
  expect(install, 'the deps stage installs production dependencies with npm ci').toMatch(/^npm ci --omit=dev( --workspace services\/[\w-]+)+$/);
  sh(`${install} --prefer-offline --no-audit --no-fund`, appDir);
  sizes['node_modules (shared)'] = Math.round(kib(join(appDir, 'node_modules')) / 1024);
  // Every image's files, then every image's process at once: their start-ups (PGlite's initdb
  // most of all) overlap.
  for (const target of targets.values()) layIn(target);
  for (const name of IMAGE_PROCESSES) {
    const target = targets.get(name);
    if (!target) continue;
    const starting = run(target);
    starting.catch(() => {}); // awaited (and reported) by the image's test
    startups.set(name, starting);
  }
}, 900_000);

afterAll(async () => {
  await Promise.all(running.map((started) => started.stop()));
  rmSync(scratch, { recursive: true, force: true });
  // The figures docs/deploy.md quotes (expected image size = base image + these).
  process.stdout.write(`image contents (MiB): ${JSON.stringify(sizes)}\n`);
}, 300_000);

describe.sequential('the images of deploy/docker/Dockerfile, reproduced', () => {
  let accountsUrl = '';

  for (const name of IMAGE_PROCESSES) {
    const target = targets.get(name);
    if (!target) throw new Error(name);

    it(`${name}: production dependencies only, then \`${target.cmd.join(' ')}\` answers /healthz, passes HEALTHCHECK and drains on SIGTERM`, async () => {
      const startup = startups.get(name);
      if (!startup) throw new Error(`${name} was not started`);
      const { process: started, url, dir } = await startup;
      const present = BUILD_TOOLS.filter((tool) => {
        try {
          sh(`test -e node_modules/${tool}`, dir);
          return true;
        } catch {
          return false;
        }
      });
      expect(present, 'build tools in the production install').toEqual([]);
      const dist = target.copies.filter((copy) => copy.from === 'build').map((copy) => join(dir, copy.destination));
      sizes[`${name} dist`] = Math.round((dist.reduce((sum, path) => sum + kib(path), 0) / 1024) * 10) / 10;

      if (url) {
        expect(await pollStatus(`${url}/healthz`, 200), started.output()).toBe(200);
        expect(healthcheck(target, dir, new URL(url).port), 'HEALTHCHECK exit status').toBe(0);
      } else {
        expect(healthcheck(target, dir, undefined), 'HEALTHCHECK exit status of the worker').toBe(0);
      }
      if (name === 'accounts' && url) {
        // Kept running: the gateway's smoke test below points at it.
        expect(await pollStatus(`${url}/readyz`, 200), started.output()).toBe(200);
        accountsUrl = url;
        return;
      }
      if (name === 'gateway') return;
      expect(await started.stop(), started.output()).toBe(0);
    }, 600_000);
  }

  it('smoke: the compiled gateway, in front of the compiled accounts service, answers /readyz 200 and proxies to it', async () => {
    const target = targets.get('gateway');
    if (!target || !accountsUrl) throw new Error('the accounts image did not start');
    const upstreams = { ACCOUNTS_URL: accountsUrl, GROUPS_URL: accountsUrl, MESSAGES_URL: accountsUrl, NOTIFICATIONS_URL: accountsUrl };
    const { process: gateway, url } = await run(target, upstreams);
    expect(await pollStatus(`${url}/readyz`, 200), gateway.output()).toBe(200);
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(await gateway.stop(), gateway.output()).toBe(0);
  }, 600_000);
});
