import type { Client } from '@grpc/grpc-js';
import type { z } from 'zod';
import type { TokenVerifier } from '../auth.ts';
import type { baseConfigSchema } from '../config.ts';
import type { GrpcClientConstructor } from '../grpc/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db, Migration } from '../ports.ts';
import type { Adapters } from '../runtime.ts';

/** The settings runService reads of every service: the kit's base ones and the metrics port. */
export type ServiceConfig = z.output<typeof baseConfigSchema> & { METRICS_PORT: number };

/** The names of the config's settings whose value is a V (the variables a definition points at). */
export type SettingOf<Config, V> = { [K in keyof Config]: Config[K] extends V ? K : never }[keyof Config] & string;

/** A gRPC client the service calls: its generated class and the variable holding the server's address. */
export interface ClientNeed<Config, C extends Client = Client> {
  client: GrpcClientConstructor<C>;
  /** host:port of the service that serves it (`ACCOUNTS_GRPC_ADDRESS`). */
  address: SettingOf<Config, string>;
}

/** What a service is built from, besides its config, logger and metrics. */
export interface ServiceNeeds<Config> {
  /** The shared cache, bus, pub/sub and job queues. */
  adapters?: boolean;
  /** Its own database: the variable with its PostgreSQL URL (unset: embedded PGlite) and its migrations. */
  database?: {
    url: SettingOf<Config, string | undefined>;
    migrations: readonly Migration[];
    /** The service whose database it is, when not this one (the accounts worker opens accounts'): names the embedded one. */
    owner?: string;
  };
  /** gRPC clients, keyed by the service that serves them (`accounts`, `groups`). */
  clients?: Record<string, ClientNeed<Config>>;
  /**
   * Verifies access tokens as a service apart from accounts: accounts' JWKS at the URL in this
   * variable, sessions from the shared cache, CheckSession over `clients.accounts`. The deadline
   * of that call is a number or a variable (default 2000 ms).
   */
  verifier?: { accountsUrl: SettingOf<Config, string>; deadlineMs?: number | SettingOf<Config, number> };
}

type ClientsOf<N> = N extends { clients: infer Cs }
  ? { [K in keyof Cs]: Cs[K] extends { client: GrpcClientConstructor<infer C> } ? C : never }
  : Record<never, never>;

/** What a definition's create() is handed: exactly what its needs asked for. */
export type ServiceParts<Config, N> = { config: Config; logger: Logger; metrics: Metrics; clients: ClientsOf<N> } & (N extends { adapters: true }
  ? { adapters: Adapters }
  : unknown) &
  (N extends { database: object } ? { db: Db } : unknown) &
  (N extends { verifier: object } ? { verifyToken: TokenVerifier } : unknown);

/** The ports a started service listens on (0 was asked for: the bound ones). */
export interface ServicePorts {
  httpPort: number;
  grpcPort?: number;
}

/** A service as its create() returns it: nothing listens until start(). */
export interface RunnableService<P extends Partial<ServicePorts> = ServicePorts> {
  start(): Promise<P>;
  stop(): Promise<void>;
}

/** A process that serves no HTTP of its own (the accounts worker): what runService also runs. */
export type BackgroundService = RunnableService<Partial<ServicePorts>>;

/**
 * A service described once: the process entry (runService), the one-process platform
 * (apps/standalone) and the test stacks (`@parley/kit/testing` startTestStack) build it from
 * this, each supplying the needs its own way.
 */
export interface ServiceDefinition<
  Config extends ServiceConfig = ServiceConfig,
  N extends ServiceNeeds<Config> = ServiceNeeds<Config>,
  S extends BackgroundService = RunnableService,
> {
  /** Logs (`service` field), metrics and the `<name> ready` line. */
  name: string;
  config: z.ZodType<Config>;
  /** The variables of the ports it binds (`PORT`, `GRPC_PORT`): checked free before anything slow starts. */
  listens: readonly SettingOf<Config, number>[];
  /** The variable of its metrics port, when not METRICS_PORT (the accounts worker: WORKER_METRICS_PORT). */
  metricsPort?: SettingOf<Config, number>;
  needs: N;
  create(parts: ServiceParts<Config, N>): Promise<S>;
}

/** Checks a definition against its config's type and keeps its needs' exact type (what create() is handed). */
export function defineService<Config extends ServiceConfig, const N extends ServiceNeeds<Config>, S extends BackgroundService>(
  definition: ServiceDefinition<Config, N, S>,
): ServiceDefinition<Config, N, S> {
  return definition;
}

/** Any definition, whatever its config, needs and service (what hosts iterate over). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyServiceDefinition = ServiceDefinition<any, any, RunnableService>;
