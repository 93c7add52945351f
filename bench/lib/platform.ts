/**
 * Parley distributed for a bench that breaks things: every service its own process (accounts,
 * the accounts worker, groups, messages, N notifications instances, the gateway), on ports of
 * its own, with fresh PostgreSQL databases and the Redis and RabbitMQ URLs it is given. Each
 * process can be killed (any signal) and started again with the same settings, which is what
 * the fault benches do to them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '@parley/kit/testing';
import { freshDatabase, root, servers } from './processes.ts';

export const log = (...args: unknown[]): void => console.error(new Date().toISOString().slice(11, 23), ...args);

export interface PlatformOptions {
  /** Prefix of the databases (`<prefix>_accounts`, ...), dropped first and at close. */
  dbPrefix: string;
  redisUrl: string;
  amqpUrl: string;
  /** Where the services reach PostgreSQL (a proxy the bench cuts, say); default the bench server. */
  postgresUrl?: string;
  notificationsInstances?: number;
  /** Run the accounts jobs in a process of their own (killable) rather than inside accounts. */
  separateWorker?: boolean;
  /** Fixed ports (gateway, accounts, groups, messages, then notifications...); default free ones. */
  ports?: Partial<Record<ServiceName | `notifications-${number}`, number>>;
  /** Extra variables, by process name (`messages`, `notifications-0`, ...), or `*` for all. */
  env?: Record<string, Record<string, string>>;
}

type ServiceName = 'gateway' | 'accounts' | 'accounts-worker' | 'groups' | 'messages';

export interface Proc {
  readonly name: string;
  /** Its API port (the gateway's for the gateway); 0 for the worker, which has none. */
  readonly port: number;
  readonly pid: number | undefined;
  running(): boolean;
  /** Sends the signal and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same settings; resolves when it is ready. */
  start(): Promise<void>;
}

export interface Platform {
  api: string;
  logDir: string;
  databases: Record<'accounts' | 'groups' | 'messages' | 'notifications', string>;
  procs: Map<string, Proc>;
  proc(name: string): Proc;
  /** The notifications instances' ports, in order. */
  notificationsPorts: number[];
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

function launch(name: string, entry: string, env: Record<string, string>, port: number, logDir: string): Proc {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const readyUrl = port > 0 ? `http://127.0.0.1:${port}/readyz` : undefined;
  const proc: Proc = {
    name,
    port,
    get pid() {
      return child?.pid;
    },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async kill(signal) {
      if (!proc.running()) return;
      child!.kill(signal);
      await exited;
    },
    async start() {
      const logFile = join(logDir, `${name}.log`);
      const from = existsSync(logFile) ? statSync(logFile).size : 0;
      const out = openSync(logFile, 'a');
      const started = spawn(process.execPath, ['--import', 'tsx', entry], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', out, out],
      });
      closeSync(out); // the child has its own copy
      child = started;
      exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        if (!proc.running()) throw new Error(`${name} exited (${started.exitCode ?? started.signalCode}); see ${logDir}/${name}.log`);
        if (
          readyUrl
            ? await fetch(readyUrl).then(
                (r) => r.ok,
                () => false,
              )
            : await workerReady(logFile, from)
        )
          return;
        if (Date.now() > deadline) throw new Error(`${name} not ready in ${READY_TIMEOUT_MS / 1000} s`);
        await sleep(200);
      }
    },
  };
  return proc;
}

/** The worker has no API port: it is ready once its log says so after `from` (its latest start). */
async function workerReady(logFile: string, from: number): Promise<boolean> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.slice(from).includes('worker ready');
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const logDir = mkdtempSync(join(tmpdir(), `parley-${options.dbPrefix}-`));
  const instances = options.notificationsInstances ?? 2;
  const portOf = async (name: string): Promise<number> => (options.ports as Record<string, number> | undefined)?.[name] ?? (await freePort());
  const ports = {
    gateway: await portOf('gateway'),
    accounts: await portOf('accounts'),
    groups: await portOf('groups'),
    messages: await portOf('messages'),
    accountsGrpc: await freePort(),
    groupsGrpc: await freePort(),
    messagesGrpc: await freePort(),
    notifications: await Promise.all(Array.from({ length: instances }, (_, i) => portOf(`notifications-${i}`))),
  };
  const dbNames = {
    accounts: `${options.dbPrefix}_accounts`,
    groups: `${options.dbPrefix}_groups`,
    messages: `${options.dbPrefix}_messages`,
    notifications: `${options.dbPrefix}_notifications`,
  };
  const databases = {
    accounts: await freshDatabase(dbNames.accounts),
    groups: await freshDatabase(dbNames.groups),
    messages: await freshDatabase(dbNames.messages),
    notifications: await freshDatabase(dbNames.notifications),
  };
  // The services may reach PostgreSQL another way (a proxy) than the bench's own admin calls.
  const viaServices = (url: string): string => {
    if (!options.postgresUrl) return url;
    const target = new URL(url);
    const through = new URL(options.postgresUrl);
    target.host = through.host;
    return target.toString();
  };
  const common = {
    REDIS_URL: options.redisUrl,
    AMQP_URL: options.amqpUrl,
    DATA_DIR: logDir,
    METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    ACCOUNTS_URL: `http://127.0.0.1:${ports.accounts}`,
    ACCOUNTS_GRPC_ADDRESS: `127.0.0.1:${ports.accountsGrpc}`,
    GROUPS_GRPC_ADDRESS: `127.0.0.1:${ports.groupsGrpc}`,
    ...options.env?.['*'],
  };
  const envOf = (name: string, own: Record<string, string>): Record<string, string> => ({ ...common, ...own, ...options.env?.[name] });
  const accountsEnv = { ACCOUNTS_DATABASE_URL: viaServices(databases.accounts), AUTH_MAX_PER_IP: '100000000', ACCESS_TOKEN_TTL_SECONDS: '7200' };
  const procs = new Map<string, Proc>();
  const add = (proc: Proc): Proc => {
    procs.set(proc.name, proc);
    return proc;
  };
  const order: Proc[] = [
    add(
      launch(
        'accounts',
        'services/accounts/src/main.ts',
        envOf('accounts', {
          ...accountsEnv,
          PORT: String(ports.accounts),
          GRPC_PORT: String(ports.accountsGrpc),
          ACCOUNTS_RUN_WORKER: String(!options.separateWorker),
        }),
        ports.accounts,
        logDir,
      ),
    ),
    ...(options.separateWorker ? [add(launch('accounts-worker', 'services/accounts/src/worker-main.ts', envOf('accounts-worker', accountsEnv), 0, logDir))] : []),
    add(
      launch(
        'groups',
        'services/groups/src/main.ts',
        envOf('groups', { GROUPS_DATABASE_URL: viaServices(databases.groups), PORT: String(ports.groups), GRPC_PORT: String(ports.groupsGrpc) }),
        ports.groups,
        logDir,
      ),
    ),
    add(
      launch(
        'messages',
        'services/messages/src/main.ts',
        envOf('messages', {
          MESSAGES_DATABASE_URL: viaServices(databases.messages),
          PORT: String(ports.messages),
          GRPC_PORT: String(ports.messagesGrpc),
          SEND_RATE_PER_MINUTE: '1000000000',
        }),
        ports.messages,
        logDir,
      ),
    ),
    ...ports.notifications.map((port, i) =>
      add(
        launch(
          `notifications-${i}`,
          'services/notifications/src/main.ts',
          envOf(`notifications-${i}`, {
            NOTIFICATIONS_DATABASE_URL: viaServices(databases.notifications),
            WS_AUTH_TIMEOUT_MS: '60000',
            INSTANCE_COUNT: String(instances),
            PORT: String(port),
          }),
          port,
          logDir,
        ),
      ),
    ),
    add(
      launch(
        'gateway',
        'services/gateway/src/main.ts',
        envOf('gateway', {
          PORT: String(ports.gateway),
          HOST: '127.0.0.1',
          GROUPS_URL: `http://127.0.0.1:${ports.groups}`,
          MESSAGES_URL: `http://127.0.0.1:${ports.messages}`,
          NOTIFICATIONS_URL: `http://127.0.0.1:${ports.notifications[0]}`,
        }),
        ports.gateway,
        logDir,
      ),
    ),
  ];
  const close = async (): Promise<void> => {
    for (const proc of [...order].reverse()) await Promise.race([proc.kill('SIGTERM'), sleep(20_000)]);
    await dropDatabases(Object.values(dbNames)).catch((error: unknown) => log('dropping the databases failed', error));
    log(`logs kept in ${logDir}`);
  };
  try {
    // Accounts first (the others read its JWKS and call it), the gateway last.
    await order[0]!.start();
    await Promise.all(order.slice(1, -1).map((proc) => proc.start()));
    await order.at(-1)!.start();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    api: `http://127.0.0.1:${ports.gateway}`,
    logDir,
    databases,
    procs,
    proc(name) {
      const proc = procs.get(name);
      if (!proc) throw new Error(`no process ${name}`);
      return proc;
    },
    notificationsPorts: ports.notifications,
    close,
  };
}

export async function dropDatabases(names: readonly string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: servers.postgres });
  await admin.connect();
  for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/** One query on one of the platform's databases, straight to the server (not through a proxy). */
export async function queryDatabase<Row>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}
