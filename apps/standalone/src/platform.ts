import { accountsConfigSchema, accountsService } from '@parley/accounts';
import { gatewayConfigSchema, gatewayService } from '@parley/gateway';
import { groupsConfigSchema, groupsService } from '@parley/groups';
import {
  assertPortsFree,
  ConfigError,
  createAdapters,
  createGrpcClient,
  createLogger,
  createMetrics,
  createMetricsRegistry,
  createPostgresDb,
  createService,
  loadConfig,
  startMetricsServer,
  type Adapters,
  type Db,
  type DestinationStream,
  type RunnableService,
  type ServiceConfig,
  type ServiceDefinition,
  type ServiceNeeds,
  type ServicePorts,
  type ServiceSupply,
  type SharedPglite,
  type TokenVerifier,
} from '@parley/kit';
import { messagesConfigSchema, messagesService } from '@parley/messages';
import { notificationsConfigSchema, notificationsService } from '@parley/notifications';
import { openEmbeddedDatabase } from './embedded-database.ts';

export interface Platform {
  /** The public origin, e.g. http://localhost:8080. */
  url: string;
  port: number;
  /** Each service's own loopback address (tests and benchmarks). */
  internal: { accounts: string; groups: string; messages: string; notifications: string };
  /** GET <metricsUrl> serves the metrics of every service of the process (METRICS_HOST, METRICS_PORT). */
  metricsUrl: string;
  adapters: Adapters;
  /** What runs where, for the start-up summary (URLs as configured, passwords included: redact before printing). */
  layout: PlatformLayout;
  stop(): Promise<void>;
}

export interface PlatformLayout {
  /** The gateway's bind address and the log level every service uses. */
  host: string;
  logLevel: string;
  dataDir: string;
  /** Each service's PostgreSQL URL, or undefined for its schema in the embedded database (dataDir/pg). */
  databases: Record<'accounts' | 'groups' | 'messages' | 'notifications', string | undefined>;
  redisUrl: string | undefined;
  amqpUrl: string | undefined;
}

export interface PlatformOptions {
  /** Adapters to use instead of building them from the environment (tests). */
  adapters?: Adapters;
  /** Opens a service's database instead of its schema of the embedded database or its *_DATABASE_URL (tests). */
  openDb?: (service: string) => Promise<Db>;
  /** Where every service logs instead of stdout (tests read the lines back). */
  logDestination?: DestinationStream;
}

type Closable = () => Promise<void>;

/**
 * Every service in one process, the way `npm start` runs Parley: one embedded PGlite database
 * under DATA_DIR with a schema for each service, in-process bus, cache, pub/sub and jobs (or
 * the real ones where their URLs are set), services on loopback ports talking gRPC as in distributed mode, and the gateway
 * as the one public origin.
 */
export async function startPlatform(env: Record<string, string | undefined> = process.env, options: PlatformOptions = {}): Promise<Platform> {
  const { gatewayConfig, accountsConfig, groupsConfig, messagesConfig, notificationsConfig } = await preflight(env);
  const logFor = (service: string) => createLogger(service, gatewayConfig.LOG_LEVEL, options.logDestination);
  // One registry for the process: every service's series, told apart by their `service` label.
  const registry = createMetricsRegistry('standalone');
  const metricsOf = (service: string) => createMetrics(service, registry);

  const adapters =
    options.adapters ??
    createAdapters({
      redisUrl: gatewayConfig.REDIS_URL,
      amqpUrl: gatewayConfig.AMQP_URL,
      cacheTimeoutMs: gatewayConfig.CACHE_TIMEOUT_MS,
      logger: logFor('platform'),
    });
  // Stopped in order: gateway first, then services in reverse start order (each unshifts).
  const closers: Closable[] = [];
  const databases: Db[] = [];
  const urls = {
    accounts: accountsConfig.ACCOUNTS_DATABASE_URL,
    groups: groupsConfig.GROUPS_DATABASE_URL,
    messages: messagesConfig.MESSAGES_DATABASE_URL,
    notifications: notificationsConfig.NOTIFICATIONS_DATABASE_URL,
  };
  const definitions = { accounts: accountsService({ runWorker: true }), groups: groupsService, messages: messagesService, notifications: notificationsService };
  const migrations = Object.fromEntries(Object.entries(definitions).map(([name, definition]) => [name, definition.needs.database.migrations]));
  // Opened with the first service that has no URL, for all of those at once (older folders are imported then).
  let embedded: Promise<SharedPglite> | undefined;
  const open = async (service: keyof typeof urls): Promise<Db> => {
    const url = urls[service];
    let db: Db;
    if (options.openDb) db = await options.openDb(service);
    // One environment: every service reads the same DATABASE_QUERY_TIMEOUT_MS.
    else if (url) db = createPostgresDb(url, { queryTimeoutMs: accountsConfig.DATABASE_QUERY_TIMEOUT_MS });
    else {
      embedded ??= openEmbeddedDatabase(
        accountsConfig.DATA_DIR,
        Object.fromEntries(Object.entries(migrations).filter(([name]) => !urls[name as keyof typeof urls])),
        logFor('platform'),
      );
      db = await (await embedded).open(service);
    }
    databases.push(db);
    return db;
  };
  const ownAdapters = options.adapters ? undefined : adapters;

  try {
    const metricsServer = await startMetricsServer({
      registry,
      host: gatewayConfig.METRICS_HOST,
      port: gatewayConfig.METRICS_PORT,
      portChosen: env.METRICS_PORT !== undefined,
      logger: logFor('platform'),
    });
    closers.unshift(() => metricsServer.close());
    // The services' gRPC clients are shared here (one per service called, to its loopback port); their calls are recorded as the platform's.
    const clientMetrics = metricsOf('platform');
    const grpcPorts: Record<string, number | undefined> = {};
    const clients = new Map<string, ReturnType<ServiceSupply['client']>>();
    const start = async <C extends ServiceConfig, N extends ServiceNeeds<C>, S extends RunnableService>(
      definition: ServiceDefinition<C, N, S>,
      config: C,
      verifyToken?: TokenVerifier,
    ): Promise<{ service: S; ports: ServicePorts }> => {
      const supply: ServiceSupply = {
        logger: logFor(definition.name),
        metrics: metricsOf(definition.name),
        adapters: () => adapters,
        openDb: (service) => open(service as keyof typeof urls),
        client(target, ClientClass) {
          const known = clients.get(target);
          if (known) return known;
          const client = createGrpcClient(ClientClass, `127.0.0.1:${grpcPorts[target]}`, { metrics: clientMetrics, deadlineMs: config.GRPC_DEADLINE_MS });
          clients.set(target, client);
          closers.unshift(async () => client.close());
          return client;
        },
        verifyToken,
      };
      const service = await createService(definition, config, supply);
      try {
        const ports = await service.start();
        grpcPorts[definition.name] = ports.grpcPort;
        return { service, ports };
      } finally {
        closers.unshift(() => service.stop());
      }
    };

    const accounts = await start(definitions.accounts, accountsConfig);
    // In one process the services share accounts' own verifier (it has the database fallback).
    const { verifyToken } = accounts.service;
    const groups = await start(definitions.groups, groupsConfig, verifyToken);
    const messages = await start(definitions.messages, messagesConfig, verifyToken);
    const notifications = await start(definitions.notifications, notificationsConfig, verifyToken);

    const upstreams = {
      accounts: `http://127.0.0.1:${accounts.ports.httpPort}`,
      groups: `http://127.0.0.1:${groups.ports.httpPort}`,
      messages: `http://127.0.0.1:${messages.ports.httpPort}`,
      notifications: `http://127.0.0.1:${notifications.ports.httpPort}`,
    };
    const gateway = await start(gatewayService, {
      ...gatewayConfig,
      ACCOUNTS_URL: upstreams.accounts,
      GROUPS_URL: upstreams.groups,
      MESSAGES_URL: upstreams.messages,
      NOTIFICATIONS_URL: upstreams.notifications,
    });
    const port = gateway.ports.httpPort;
    return {
      url: `http://${browsableHost(gatewayConfig.HOST)}:${port}`,
      port,
      internal: upstreams,
      metricsUrl: `http://${urlHost(gatewayConfig.METRICS_HOST)}:${metricsServer.port}/metrics`,
      adapters,
      layout: {
        host: gatewayConfig.HOST,
        logLevel: gatewayConfig.LOG_LEVEL,
        dataDir: gatewayConfig.DATA_DIR,
        databases: urls,
        redisUrl: gatewayConfig.REDIS_URL,
        amqpUrl: gatewayConfig.AMQP_URL,
      },
      stop: () => closeAll(closers, ownAdapters, databases, embedded),
    };
  } catch (error) {
    await closeAll(closers, ownAdapters, databases, embedded);
    throw error;
  }
}

/** The host a browser on this machine reaches the gateway by: localhost, unless it listens on one particular address. */
function browsableHost(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * What must hold before anything slow starts (the web build, the databases): every service's
 * configuration valid (ConfigError naming every bad variable) and the public port free
 * (PortUnavailableError). Found in a second.
 */
export async function preflight(env: Record<string, string | undefined>) {
  const configs = loadConfigs(env, internalEnv(env));
  await assertPortsFree(configs.gatewayConfig.HOST, { PORT: configs.gatewayConfig.PORT });
  // A default metrics port that is taken gives way to a free one (startMetricsServer); a chosen one must be free.
  if (env.METRICS_PORT !== undefined) await assertPortsFree(configs.gatewayConfig.METRICS_HOST, { METRICS_PORT: configs.gatewayConfig.METRICS_PORT });
  return configs;
}

/** Services listen on free loopback ports; only the gateway takes HOST and PORT. */
const internalEnv = (env: Record<string, string | undefined>) => ({ ...env, HOST: '127.0.0.1', PORT: '0', GRPC_PORT: '0' });

/**
 * Every service's configuration from the one environment, validated before anything starts:
 * every bad variable of every service is named in one ConfigError (each once).
 */
function loadConfigs(env: Record<string, string | undefined>, internal: Record<string, string | undefined>) {
  const problems = new Set<string>();
  const load = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) problems.add(problem);
      return undefined;
    }
  };
  const configs = {
    gatewayConfig: load(() => loadConfig(gatewayConfigSchema, env)),
    accountsConfig: load(() => loadConfig(accountsConfigSchema, internal)),
    groupsConfig: load(() => loadConfig(groupsConfigSchema, internal)),
    messagesConfig: load(() => loadConfig(messagesConfigSchema, internal)),
    notificationsConfig: load(() => loadConfig(notificationsConfigSchema, internal)),
  };
  const { gatewayConfig, accountsConfig, groupsConfig, messagesConfig, notificationsConfig } = configs;
  if (!gatewayConfig || !accountsConfig || !groupsConfig || !messagesConfig || !notificationsConfig) throw new ConfigError([...problems]);
  return { gatewayConfig, accountsConfig, groupsConfig, messagesConfig, notificationsConfig };
}

/**
 * Services and clients, then the shared adapters, then the databases (PGlite must be closed or
 * it keeps the process alive; the embedded one closes with its last schema, or here when a
 * failed start opened it without handing any out).
 */
async function closeAll(closers: Closable[], adapters: Adapters | undefined, databases: Db[], embedded: Promise<SharedPglite> | undefined): Promise<void> {
  for (const close of closers) await close().catch(() => undefined);
  await adapters?.close();
  await Promise.allSettled(databases.map((db) => db.close()));
  await embedded?.then((shared) => shared.close()).catch(() => undefined);
}

/** A host as it goes in a URL: IPv6 literals in brackets, the any-address as loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
