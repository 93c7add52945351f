import { join } from 'node:path';
import type { accountsV1, groupsV1 } from '@parley/contracts';
import {
  createCachedGroups,
  createServiceHttpServer,
  createMetrics,
  createOutboxRelay,
  createRateLimiter,
  eventsCleanUpJob,
  instrumented,
  listenHttp,
  startJobs,
  migrate,
  type Bus,
  type Cache,
  type Db,
  type HttpServer,
  type Jobs,
  type Logger,
  type Metrics,
  type PubSub,
  type TokenVerifier,
} from '@parley/kit';
import type { MessagesConfig } from './config.ts';
import { messagesMigrations } from './db/migrations.ts';
import { CLEAN_FILES_JOB, cleanUnreferencedFiles } from './domain/clean-unreferenced-files.ts';
import type { MessagesContext } from './domain/context.ts';
import { createSearchIndexMerger, type SearchIndexMerger } from './domain/search-index-merger.ts';
import { createLiveMarks } from './domain/live-marks.ts';
import { createLivePublisher } from './domain/publish-live.ts';
import { ORPHAN_MAX_AGE_MS, republishOrphanedLive } from './domain/republish-orphaned-live.ts';
import { createSendBatcher } from './domain/send-batcher.ts';
import { subscribeGroupEvents } from './events/group-events.ts';
import { subscribeUserEvents } from './events/user-events.ts';
import { conversationsRoutes } from './http/conversations.routes.ts';
import { filesRoutes } from './http/files.routes.ts';
import { messagesRoutes } from './http/messages.routes.ts';
import { searchRoutes } from './http/search.routes.ts';
import { createDiskStorage } from './storage/storage.ts';

export interface MessagesDeps {
  config: MessagesConfig;
  db: Db;
  cache: Cache;
  bus: Bus;
  /** Live delivery of new messages to the notifications instances (publish-live.ts). */
  pubsub: PubSub;
  jobs: Jobs;
  logger: Logger;
  /** Verifies access tokens: accounts' own verifier in one process, a JWKS-based one otherwise. */
  verifyToken: TokenVerifier;
  accounts: accountsV1.UsersClient;
  groups: groupsV1.GroupsClient;
  /** The process's metrics registry, with this service's name (default: a registry of its own). */
  metrics?: Metrics;
}

export interface MessagesService {
  http: HttpServer;
  context: MessagesContext;
  searchIndexMerger: SearchIndexMerger;
  /** Listens on config.HOST / PORT (0 = any free port); resolves to the bound port. */
  start(): Promise<{ httpPort: number }>;
  stop(): Promise<void>;
}

const CLEAN_FILES_EVERY_MS = 60 * 60 * 1000;

/**
 * Wires the messages service: migrations, outbox relay, file storage, HTTP routes
 * (conversations, messages, search, files), the group.* and user.* consumers, the merges of
 * the search indexes' pending lists and the hourly clean-up of unreferenced uploads.
 */
export async function createMessagesService(deps: MessagesDeps): Promise<MessagesService> {
  const metrics = deps.metrics ?? createMetrics('messages');
  const { config, db, cache, bus, jobs, logger, verifyToken } = instrumented(deps, metrics);
  await migrate(db, messagesMigrations);
  const relay = createOutboxRelay({ db, bus, logger, metrics, lingerMs: config.OUTBOX_LINGER_MS, deferrableLingerMs: config.OUTBOX_NEW_MESSAGE_LINGER_MS });
  const liveMarks = createLiveMarks(cache, logger, ORPHAN_MAX_AGE_MS / 1000);
  const storage = createDiskStorage(config.FILES_DIR ?? join(config.DATA_DIR, 'messages', 'files'));
  const ctx: MessagesContext = {
    db,
    cache,
    limits: createRateLimiter({ cache, instances: config.INSTANCE_COUNT }),
    bus,
    jobs,
    outbox: relay,
    config,
    logger,
    accounts: deps.accounts,
    groups: deps.groups,
    groupsCache: createCachedGroups({
      cache,
      groups: deps.groups,
      service: 'messages',
      call: { logger },
    }),
    storage,
    sendBatched: createSendBatcher(db),
    publishLive: createLivePublisher(deps.pubsub, logger, (message) => liveMarks.published(message.conversationId, message.seq)),
  };

  const searchIndexMerger = createSearchIndexMerger({ db, logger, everyMs: config.SEARCH_INDEX_MERGE_MS, registry: metrics.registry });
  // Without Redis the service still serves (caches miss, limits count per process): degraded.
  const http = await createServiceHttpServer({ service: 'messages', logger, metrics, config, db, bus, cache });
  conversationsRoutes(http, ctx, verifyToken);
  messagesRoutes(http, ctx, verifyToken);
  await searchRoutes(http, ctx, verifyToken);
  await filesRoutes(http, ctx, verifyToken);

  const consumers: { close(): Promise<void> }[] = [];
  return {
    http,
    context: ctx,
    searchIndexMerger,
    async start() {
      const orphans = await republishOrphanedLive(db, ctx.publishLive, liveMarks);
      if (orphans.published + orphans.skipped > 0) {
        logger.warn(
          { messages: orphans.published, alreadyLive: orphans.skipped },
          'published live the new messages a previous process left unrelayed and not marked live',
        );
      }
      liveMarks.start();
      relay.start();
      consumers.push(await subscribeGroupEvents(ctx), await subscribeUserEvents(ctx));
      // Two at a time: the hourly clean-ups do not hold up the merges of the search indexes.
      const cleanFiles = { name: CLEAN_FILES_JOB, everyMs: CLEAN_FILES_EVERY_MS, run: async () => void (await cleanUnreferencedFiles(ctx)) };
      await startJobs(jobs, { periodic: [searchIndexMerger.job, cleanFiles, eventsCleanUpJob(db)], concurrency: 2 });
      const httpPort = await listenHttp(http, config.HOST, config.PORT);
      return { httpPort };
    },
    async stop() {
      await http.close();
      await Promise.allSettled(consumers.splice(0).map((c) => c.close()));
      await Promise.all([relay.stop(), liveMarks.stop()]);
    },
  };
}
