import { describe, expect, it } from 'vitest';
import type { Platform, PlatformLayout } from '../src/platform.ts';
import { startupSummary } from '../src/summary.ts';

const platformWith = (layout: Partial<PlatformLayout>): Platform =>
  ({
    url: 'http://localhost:8080',
    port: 8080,
    layout: {
      host: '127.0.0.1',
      logLevel: 'info',
      dataDir: '/srv/parley/data',
      databases: { accounts: undefined, groups: undefined, messages: undefined, notifications: undefined },
      redisUrl: undefined,
      amqpUrl: undefined,
      ...layout,
    },
  }) as Platform;

describe('the start-up summary of npm start', () => {
  it('says which servers run what, without their passwords, and which databases stay embedded', () => {
    const text = startupSummary(
      platformWith({
        host: '0.0.0.0',
        databases: { accounts: 'postgres://parley:s3cret@db:5432/parley_accounts', groups: undefined, messages: undefined, notifications: undefined },
        redisUrl: 'redis://:hunter2@cache:6379',
        amqpUrl: 'amqp://guest:guest@mq:5672',
      }),
    );
    expect(text).not.toMatch(/s3cret|hunter2|guest:guest/);
    expect(text).toContain('  mode       with servers: PostgreSQL, Redis, RabbitMQ');
    expect(text).toContain('  accounts   postgres://parley@db:5432/parley_accounts');
    expect(text).toContain('  redis      redis://cache:6379');
    expect(text).toContain('  rabbitmq   amqp://guest@mq:5672');
    expect(text).toContain('  data       /srv/parley/data (PGlite in pg/, a schema each: groups, messages, notifications)');
    expect(text).toContain('  listening  0.0.0.0:8080\n');
  });
});
