import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { startMetricsServer } from '../src/metrics-server.ts';
import { assertPortsFree, PortUnavailableError } from '../src/startup.ts';
import { occupyPort, type OccupiedPort } from '../src/testing/ports.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** Runs a process entry point as `npm start` / a container would, to its exit. */
function run(entry: string, env: Record<string, string>): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (status) => resolve({ status, stderr, stdout }));
  });
}

describe('start-up errors', () => {
  let taken: OccupiedPort;
  let takenPort: number;

  beforeAll(async () => {
    taken = await occupyPort();
    takenPort = taken.port;
  });
  afterAll(() => taken.close());

  it('a taken port is named with the variable that moves it; a free one and port 0 pass', async () => {
    await expect(assertPortsFree('127.0.0.1', { PORT: 0 })).resolves.toBeUndefined();
    const error = await assertPortsFree('127.0.0.1', { PORT: 0, GRPC_PORT: takenPort }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortUnavailableError);
    expect((error as Error).message).toBe(`port ${takenPort} is in use (set GRPC_PORT to use another)`);
  });

  it('a taken default metrics port (a second instance on the host) gives way to a free one; a chosen one fails the start', async () => {
    const { registry } = createMetrics('test');
    const logger = createLogger('test', 'silent');
    const fallback = await startMetricsServer({ registry, logger, host: '127.0.0.1', port: takenPort, portChosen: false });
    try {
      expect(fallback.port).not.toBe(takenPort);
      expect((await fetch(`http://127.0.0.1:${fallback.port}/metrics`)).status).toBe(200);
    } finally {
      await fallback.close();
    }
    const error = await startMetricsServer({ registry, logger, host: '127.0.0.1', port: takenPort, portChosen: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortUnavailableError);
    expect((error as Error).message).toBe(`port ${takenPort} is in use (set METRICS_PORT to use another)`);
  });

  // Each process stops at its first taken port, before it opens a database: one plain line, status 1.
  const cases: [entry: string, variable: string, env: Record<string, string>][] = [
    ['apps/standalone/src/main.ts', 'PORT', {}],
    ['services/gateway/src/main.ts', 'PORT', {}],
    ['services/accounts/src/main.ts', 'PORT', { GRPC_PORT: '0' }],
    ['services/accounts/src/main.ts', 'GRPC_PORT', { PORT: '0' }],
    ['services/groups/src/main.ts', 'PORT', { GRPC_PORT: '0' }],
    ['services/groups/src/main.ts', 'GRPC_PORT', { PORT: '0' }],
    ['services/messages/src/main.ts', 'PORT', {}],
    ['services/notifications/src/main.ts', 'PORT', {}],
    ['services/notifications/src/main.ts', 'METRICS_PORT', { PORT: '0' }],
  ];

  it.concurrent.each(cases)(
    '%s with %s taken says so in one line and exits 1',
    async (entry, variable, env) => {
      const result = await run(entry, { HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: '/nonexistent/never-opened', [variable]: String(takenPort), ...env });
      expect(result.stderr).toBe(`port ${takenPort} is in use (set ${variable} to use another)\n`);
      expect(result.stdout).toBe('');
      expect(result.status).toBe(1);
    },
    240_000,
  );

  it.concurrent.each(['apps/standalone/src/main.ts', 'services/messages/src/main.ts'])(
    '%s with LOG_LEVEL=loud names it in the one configuration message and exits 1, before anything starts',
    async (entry) => {
      const result = await run(entry, { LOG_LEVEL: 'loud', PORT: 'eighty', DATA_DIR: '/nonexistent/never-opened' });
      expect(result.stderr).toMatch(/^Invalid configuration:\n {2}- LOG_LEVEL: .*\n {2}- PORT: .*\n$/);
      expect(result.stdout).toBe('');
      expect(result.status).toBe(1);
    },
    240_000,
  );
});
