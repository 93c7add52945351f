import {
  createGrpcServer,
  createServiceHttpServer,
  createMetrics,
  createOutboxRelay,
  createRateLimiter,
  createTokenVerifier,
  instrumented,
  listenHttp,
  migrate,
  type Bus,
  type Cache,
  type Db,
  type HttpServer,
  type Jobs,
  type Logger,
  type Metrics,
  type TokenVerifier,
} from '@parley/kit';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { AccountsConfig } from './config.ts';
import { accountsMigrations } from './db/migrations.ts';
import { checkSessionFromDatabase } from './domain/check-session.ts';
import type { AccountsContext } from './domain/context.ts';
import { createTokenIssuer } from './domain/tokens.ts';
import { createLastSeenTracker } from './domain/touch-last-seen.ts';
import { subscribeUserCacheInvalidation } from './events/invalidate-user-cache.ts';
import { subscribePresence } from './events/presence.consumer.ts';
import { addUsersGrpc } from './grpc/users.grpc.ts';
import { authRoutes } from './http/auth.routes.ts';
import { contactsRoutes } from './http/contacts.routes.ts';
import { usersRoutes } from './http/users.routes.ts';
import { startAccountsWorker } from './worker/jobs.ts';

export interface AccountsDeps {
  config: AccountsConfig;
  db: Db;
  cache: Cache;
  bus: Bus;
  jobs: Jobs;
  logger: Logger;
  /** Run the worker's jobs in this process (standalone and tests); distributed runs worker-main. */
  runWorker: boolean;
  /** The process's metrics registry, with this service's name (default: a registry of its own). */
  metrics?: Metrics;
}

export interface AccountsService {
  http: HttpServer;
  jwks: JSONWebKeySet;
  verifyToken: TokenVerifier;
  context: AccountsContext;
  /** Listens on config.HOST / PORT and GRPC_PORT (0 = any free port); resolves to the bound ports. */
  start(): Promise<{ httpPort: number; grpcPort: number }>;
  stop(): Promise<void>;
}

/** Wires the accounts service: migrations, keys, outbox relay, HTTP and gRPC, optionally the worker. */
export async function createAccountsService(deps: AccountsDeps): Promise<AccountsService> {
  const metrics = deps.metrics ?? createMetrics('accounts');
  const { config, db, cache, bus, jobs, logger } = instrumented(deps, metrics);
  await migrate(db, accountsMigrations);
  const tokens = await createTokenIssuer(db, config.ACCESS_TOKEN_TTL_SECONDS);
  const relay = createOutboxRelay({ db, bus, logger, metrics });
  const limits = createRateLimiter({ cache, instances: config.INSTANCE_COUNT });
  const ctx: AccountsContext = { db, cache, limits, jobs, outbox: relay, config, tokens, logger };
  const verifyToken = createTokenVerifier({
    keys: createLocalJWKSet(tokens.jwks),
    cache,
    sessionFallback: (sessionId, userId) => checkSessionFromDatabase(ctx, sessionId, userId),
  });

  // Without Redis the service still serves (caches miss, limits count per process): degraded.
  const http = await createServiceHttpServer({ service: 'accounts', logger, metrics, config, db, bus, cache });
  const touchLastSeen = createLastSeenTracker(ctx);
  // Callback form: nothing to await, so no promise per request.
  http.addHook('onResponse', (request, _reply, done) => {
    if (request.auth) touchLastSeen(request.auth.userId);
    done();
  });
  authRoutes(http, ctx, verifyToken);
  await usersRoutes(http, ctx, verifyToken);
  contactsRoutes(http, ctx, verifyToken);

  const grpc = createGrpcServer({ logger, metrics });
  addUsersGrpc(grpc, ctx);

  const consumers: { close(): Promise<void> }[] = [];
  return {
    http,
    jwks: tokens.jwks,
    verifyToken,
    context: ctx,
    async start() {
      relay.start();
      consumers.push(await subscribeUserCacheInvalidation(bus, ctx), await subscribePresence(bus, ctx));
      if (deps.runWorker) await startAccountsWorker(ctx, jobs);
      const httpPort = await listenHttp(http, config.HOST, config.PORT);
      const grpcPort = await grpc.listen(config.HOST, config.GRPC_PORT);
      return { httpPort, grpcPort };
    },
    async stop() {
      await http.close();
      await grpc.close();
      await Promise.allSettled(consumers.splice(0).map((consumer) => consumer.close()));
      await relay.stop();
    },
  };
}
