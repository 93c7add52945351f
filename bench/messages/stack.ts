/**
 * The processes and databases of the messages benchmark: accounts, groups and messages, each its
 * own process (distributed mode) on real PostgreSQL, Redis and RabbitMQ, on ports of their own
 * so they do not collide with the accounts benchmark or a dev stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedUrls } from '../lib/isolation.ts';
import { root, servers, startService, type Service } from '../lib/processes.ts';

export const DATABASES = {
  messages: 'parley_bench_messages',
  accounts: 'parley_bench_messages_accounts',
  groups: 'parley_bench_messages_groups',
} as const;

export const PORTS = {
  accountsHttp: 15001,
  accountsGrpc: 15101,
  groupsHttp: 15002,
  groupsGrpc: 15102,
  messagesHttp: 15003,
  messagesGrpc: 15103,
} as const;

export const URLS = {
  accounts: `http://127.0.0.1:${PORTS.accountsHttp}`,
  groups: `http://127.0.0.1:${PORTS.groupsHttp}`,
  messages: `http://127.0.0.1:${PORTS.messagesHttp}`,
};

/** Redis db 5 and vhost parley_bench: nothing else on the machine consumes our events or jobs, nor we theirs. */
export const ISOLATED = isolatedUrls(process.env.BENCH_MESSAGES_VHOST ?? 'parley_bench', Number(process.env.BENCH_MESSAGES_REDIS_DB ?? 5));

export const PASSWORD = 'bench-password-1';
/** The caller of the read benchmarks: a member of every seeded conversation. */
export const READER = 'mb_reader';
export const partnerName = (i: number): string => `mb_p${String(i).padStart(4, '0')}`;

/** The URL of an existing database on the bench server. */
export function databaseUrlOf(name: string): string {
  const url = new URL(servers.postgres);
  url.pathname = `/${name}`;
  return url.toString();
}

const LIMITS_OFF = { RATE_LIMIT_PER_MINUTE: '1000000000' };

export interface Stack {
  services: Record<string, Service>;
  stop(): Promise<void>;
}

/** Starts accounts and groups, and messages unless withMessages is false, against the bench databases. */
export async function startStack(
  options: {
    withMessages?: boolean;
    /** V8 CPU profile of messages, written there on exit. */ profileDir?: string;
  } = {},
): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-messages-'));
  const common = {
    REDIS_URL: ISOLATED.redis,
    AMQP_URL: ISOLATED.amqp,
    DATA_DIR: dataDir,
    // Each process's metrics on a free port: nothing here reads them.
    METRICS_PORT: '0',
    ...LIMITS_OFF,
  };
  const services: Record<string, Service> = {};
  // Should this process die (an uncaught error, Ctrl-C), its services must not live on.
  const killAll = () => {
    for (const service of Object.values(services)) if (service.child.exitCode === null) service.child.kill('SIGTERM');
  };
  const onSignal = () => {
    killAll();
    process.exit(130);
  };
  process.on('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async () => {
    for (const name of ['messages', 'groups', 'accounts']) await services[name]?.stop();
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    services.accounts = await startService(
      'services/accounts/src/main.ts',
      {
        ...common,
        ACCOUNTS_DATABASE_URL: databaseUrlOf(DATABASES.accounts),
        PORT: String(PORTS.accountsHttp),
        GRPC_PORT: String(PORTS.accountsGrpc),
        ACCOUNTS_RUN_WORKER: 'true',
        AUTH_MAX_PER_IP: '1000000',
        LOGIN_MAX_FAILURES: '1000000',
        ACCESS_TOKEN_TTL_SECONDS: '7200',
      },
      `${URLS.accounts}/readyz`,
    );
    services.groups = await startService(
      'services/groups/src/main.ts',
      {
        ...common,
        GROUPS_DATABASE_URL: databaseUrlOf(DATABASES.groups),
        PORT: String(PORTS.groupsHttp),
        GRPC_PORT: String(PORTS.groupsGrpc),
        ACCOUNTS_URL: URLS.accounts,
        ACCOUNTS_GRPC_ADDRESS: `127.0.0.1:${PORTS.accountsGrpc}`,
      },
      `${URLS.groups}/readyz`,
    );
    if (options.withMessages !== false) {
      services.messages = await startService(
        'services/messages/src/main.ts',
        {
          ...common,
          MESSAGES_DATABASE_URL: databaseUrlOf(DATABASES.messages),
          PORT: String(PORTS.messagesHttp),
          GRPC_PORT: String(PORTS.messagesGrpc),
          ACCOUNTS_URL: URLS.accounts,
          ACCOUNTS_GRPC_ADDRESS: `127.0.0.1:${PORTS.accountsGrpc}`,
          GROUPS_GRPC_ADDRESS: `127.0.0.1:${PORTS.groupsGrpc}`,
          SEND_RATE_PER_MINUTE: '1000000000',
          ...(process.env.BENCH_MESSAGES_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_MESSAGES_NODE_OPTIONS } : {}),
          ...(options.profileDir
            ? {
                NODE_OPTIONS: `--import ${root}bench/lib/cpu-profile-preload.mjs`,
                BENCH_CPU_PROFILE_DIR: options.profileDir,
              }
            : {}),
        },
        `${URLS.messages}/readyz`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, stop };
}

/** JSON over loopback; throws with the answer when the status is not one of ok. */
export async function call<T = any>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; ok?: number[] } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : undefined) as T;
  if (!(options.ok ?? [200, 201]).includes(res.status)) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return { status: res.status, body };
}
