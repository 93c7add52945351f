import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface RunningPlatform {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Parley exactly as `npm start` does (the standalone launcher, which builds the web app
 * first when it is missing or stale) on a free port with a fresh temporary DATA_DIR, waits for
 * /readyz, and stops it (SIGTERM, then the data folder removed) when asked.
 *
 * Every browser context of a run comes from 127.0.0.1, so the per-IP limits that protect a real
 * deployment (1,200 requests a minute, 30 sign-ups/logins a quarter hour) are raised through
 * `env`; everything else is the default configuration.
 */
export async function startPlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/standalone/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_MAX_PER_IP: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A runner that dies without its teardown must not leave the platform running.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  void exited.then(() => process.off('exit', orphanGuard));
  const url = await announcedUrl(child, exited);
  await waitForReady(url, exited);
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The launcher's "Parley is running at <url>" line; its output (the web build's progress) is passed on. */
async function announcedUrl(child: ChildProcess, exited: Promise<number | null>): Promise<string> {
  let output = '';
  return new Promise<string>((resolve, reject) => {
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stderr.write(`  [platform] ${line}\n`);
      const match = /Parley is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`the platform exited with ${code} before it started:\n${output}`)));
  });
}

async function waitForReady(url: string, exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error('the platform exited before it was ready');
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
