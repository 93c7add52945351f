import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, baseConfigSchema, loadConfig, port } from '../src/config.ts';

const schema = baseConfigSchema.extend({ PORT: port(4001), LIMIT: z.coerce.number().int().min(1).default(5) });

describe('config', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ PORT: 4001, LIMIT: 5, LOG_LEVEL: 'info', DATA_DIR: './data', DATABASE_QUERY_TIMEOUT_MS: 30_000 });
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('when several variables are bad, names every one of them in one error', () => {
    try {
      loadConfig(schema, { PORT: 'eighty', LIMIT: '0', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud', DATABASE_QUERY_TIMEOUT_MS: '0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const name of ['PORT', 'LIMIT', 'REDIS_URL', 'LOG_LEVEL', 'DATABASE_QUERY_TIMEOUT_MS']) expect(message).toContain(name);
    }
  });

  it('treats an empty URL as unset', () => {
    expect(loadConfig(schema, { AMQP_URL: '' }).AMQP_URL).toBeUndefined();
  });

  it('when a process starts with bad configuration, it prints the problems and exits 1', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'services/gateway/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'not-a-port', ACCOUNTS_URL: 'ftp://x', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('ACCOUNTS_URL');
  });
});
