import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsV1 } from '@parley/contracts';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema, databaseUrl, port } from '../src/config.ts';
import { listenHttp } from '../src/http/listen.ts';
import { defineService, type ServiceParts } from '../src/service/definition.ts';
import { runService } from '../src/service/run-service.ts';
import { PortUnavailableError } from '../src/startup.ts';
import { occupyPort, type OccupiedPort } from '../src/testing/ports.ts';

const exampleConfig = baseConfigSchema.extend({
  PORT: port(0),
  METRICS_PORT: port(0),
  EXAMPLE_DATABASE_URL: databaseUrl(),
  ACCOUNTS_URL: z.string().default('http://127.0.0.1:1'),
  ACCOUNTS_GRPC_ADDRESS: z.string().default('127.0.0.1:1'),
  EXAMPLE_DEADLINE_MS: z.coerce.number().default(750),
});

const exampleNeeds = {
  adapters: true,
  database: { url: 'EXAMPLE_DATABASE_URL', migrations: [] },
  clients: { accounts: { client: accountsV1.UsersClient, address: 'ACCOUNTS_GRPC_ADDRESS' } },
  verifier: { accountsUrl: 'ACCOUNTS_URL', deadlineMs: 'EXAMPLE_DEADLINE_MS' },
} as const;

/** An example service that records what it was handed and what happened, in order. */
function exampleService() {
  const events: string[] = [];
  let handed: ServiceParts<z.output<typeof exampleConfig>, typeof exampleNeeds> | undefined;
  const definition = defineService({
    name: 'example',
    config: exampleConfig,
    listens: ['PORT'],
    needs: exampleNeeds,
    async create(parts) {
      handed = parts;
      const app = Fastify();
      app.get('/hello', async () => ({ from: 'example' }));
      return {
        async start() {
          events.push('start');
          return { httpPort: await listenHttp(app, parts.config.HOST, parts.config.PORT) };
        },
        async stop() {
          // Everything the service was handed is still open while it stops.
          const { rows } = await parts.db.query<{ one: number }>('SELECT 1 AS one');
          events.push(`stop (database answers ${rows[0]?.one})`);
          await app.close();
        },
      };
    },
  });
  return { definition, events, parts: () => handed! };
}

describe('the service skeleton', () => {
  let taken: OccupiedPort;
  beforeAll(async () => {
    taken = await occupyPort();
  });
  afterAll(() => taken.close());

  it('listenHttp resolves to the port bound for 0, and names the variable of a taken port', async () => {
    const app = Fastify();
    app.get('/', async () => 'ok');
    try {
      const bound = await listenHttp(app, '127.0.0.1', 0);
      expect(bound).toBeGreaterThan(0);
      expect(await (await fetch(`http://127.0.0.1:${bound}/`)).text()).toBe('ok');
    } finally {
      await app.close();
    }
    const other = Fastify();
    const error = await listenHttp(other, '127.0.0.1', taken.port, 'GATEWAY_PORT').catch((e: unknown) => e);
    await other.close();
    expect(error).toBeInstanceOf(PortUnavailableError);
    expect((error as Error).message).toBe(`port ${taken.port} is in use (set GATEWAY_PORT to use another)`);
  });

  describe('runService', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-run-service-'));
    const env = { HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir };
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('builds what the definition needs from the config, starts it, and stops it before closing what it was handed', async () => {
      const { definition, events, parts } = exampleService();
      const running = await runService(definition, env);
      const handed = parts();
      expect(handed.config.EXAMPLE_DEADLINE_MS).toBe(750);
      expect(typeof handed.verifyToken).toBe('function');
      expect(handed.clients.accounts.getChannel().getTarget()).toContain('127.0.0.1:1');
      await handed.adapters.cache.set('k', 'v', 60);
      expect(await handed.adapters.cache.get('k')).toBe('v');
      expect(await (await fetch(`http://127.0.0.1:${running.ports.httpPort}/hello`)).json()).toEqual({ from: 'example' });

      await running.stop();
      expect(events).toEqual(['start', 'stop (database answers 1)']);
      await expect(handed.db.query('SELECT 1')).rejects.toThrow();
    });

    it('a taken port is said in one line and the process exits 1, before anything is built', async () => {
      const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
        throw new Error(`exit ${String(code)}`);
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const { definition, parts } = exampleService();
      await expect(runService(definition, { ...env, PORT: String(taken.port) })).rejects.toThrow('exit 1');
      expect(exit).toHaveBeenCalledWith(1);
      expect(stderr.mock.calls.map(([line]) => String(line))).toEqual([`port ${taken.port} is in use (set PORT to use another)\n`]);
      expect(parts()).toBeUndefined();
    });
  });
});
