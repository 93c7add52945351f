import type { accountsV1 } from '@parley/contracts';
import {
  createGrpcServer,
  createServiceHttpServer,
  createMetrics,
  createOutboxRelay,
  eventsCleanUpJob,
  instrumented,
  listenHttp,
  migrate,
  startJobsWhenReady,
  type Bus,
  type Cache,
  type Db,
  type HttpServer,
  type Jobs,
  type Logger,
  type Metrics,
  type TokenVerifier,
} from '@parley/kit';
import type { GroupsConfig } from './config.ts';
import { groupsMigrations } from './db/migrations.ts';
import type { GroupsContext } from './domain/context.ts';
import { subscribeGroupCacheInvalidation } from './events/invalidate-group-cache.ts';
import { addGroupsGrpc } from './grpc/groups.grpc.ts';
import { groupsRoutes } from './http/groups.routes.ts';
import { membersRoutes } from './http/members.routes.ts';

export interface GroupsDeps {
  config: GroupsConfig;
  db: Db;
  cache: Cache;
  bus: Bus;
  /** This service's queue: its periodic jobs run once per interval across the instances. */
  jobs: Jobs;
  logger: Logger;
  /** Verifies access tokens: accounts' own verifier in one process, createRemoteTokenVerifier in main.ts. */
  verifyToken: TokenVerifier;
  /** accounts.v1.Users, built by the caller with createGrpcClient (and closed by it). */
  accounts: accountsV1.UsersClient;
  /** The process's metrics registry, with this service's name (default: a registry of its own). */
  metrics?: Metrics;
}

export interface GroupsService {
  http: HttpServer;
  context: GroupsContext;
  /** Listens on config.HOST / PORT and GRPC_PORT (0 = any free port); resolves to the bound ports. */
  start(): Promise<{ httpPort: number; grpcPort: number }>;
  stop(): Promise<void>;
}

/** Wires the groups service: migrations, outbox relay, cache invalidation consumer, HTTP and gRPC. */
export async function createGroupsService(deps: GroupsDeps): Promise<GroupsService> {
  const metrics = deps.metrics ?? createMetrics('groups');
  const { config, db, cache, bus, jobs, logger, verifyToken, accounts } = instrumented(deps, metrics);
  await migrate(db, groupsMigrations);
  const relay = createOutboxRelay({ db, bus, logger, metrics });
  const ctx: GroupsContext = { db, cache, outbox: relay, config, accounts, logger };

  // Without Redis the service still serves (caches miss): degraded.
  const http = await createServiceHttpServer({ service: 'groups', logger, metrics, config, db, bus, cache });
  groupsRoutes(http, ctx, verifyToken);
  membersRoutes(http, ctx, verifyToken);

  const grpc = createGrpcServer({ logger, metrics });
  addGroupsGrpc(grpc, ctx);

  let consumer: { close(): Promise<void> } | undefined;
  return {
    http,
    context: ctx,
    async start() {
      relay.start();
      consumer = await subscribeGroupCacheInvalidation(bus, ctx);
      startJobsWhenReady(jobs, { periodic: [eventsCleanUpJob(db)] }, logger);
      const httpPort = await listenHttp(http, config.HOST, config.PORT);
      const grpcPort = await grpc.listen(config.HOST, config.GRPC_PORT);
      return { httpPort, grpcPort };
    },
    async stop() {
      await http.close();
      await grpc.close();
      await consumer?.close();
      await relay.stop();
    },
  };
}
