import type { accountsV1, groupsV1 } from '@parley/contracts';
import {
  createServiceHttpServer,
  createMetrics,
  createOutboxRelay,
  eventsCleanUpJob,
  instrumented,
  listenHttp,
  migrate,
  newId,
  startJobsWhenReady,
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
import type { NotificationsConfig } from './config.ts';
import { notificationsMigrations } from './db/migrations.ts';
import type { NotificationsContext } from './domain/context.ts';
import { createConversationDirectory } from './domain/conversation-directory.ts';
import { createPresence } from './domain/presence.ts';
import { relayTyping } from './domain/relay-typing.ts';
import { loadVapidKeys } from './domain/vapid-keys.ts';
import { pruneNotificationsJob } from './domain/prune-notifications.ts';
import { subscribeDeliver } from './events/deliver.consumer.ts';
import { subscribeFanOut } from './events/fan-out.consumer.ts';
import { subscribeSessions } from './events/sessions.consumer.ts';
import { subscribeStore } from './events/store.consumer.ts';
import { notificationsRoutes } from './http/notifications.routes.ts';
import { presenceRoutes } from './http/presence.routes.ts';
import { pushRoutes } from './http/push.routes.ts';
import { createSocketHub } from './realtime/socket-hub.ts';
import { createWsMetrics } from './realtime/ws-metrics.ts';
import { realtimeRoutes } from './realtime/ws.routes.ts';

export interface NotificationsDeps {
  config: NotificationsConfig;
  db: Db;
  cache: Cache;
  bus: Bus;
  pubsub: PubSub;
  /** This service's queue: its periodic jobs run once per interval across the instances. */
  jobs: Jobs;
  logger: Logger;
  verifyToken: TokenVerifier;
  groups: groupsV1.GroupsClient;
  accounts: accountsV1.UsersClient;
  /** The process's metrics registry, with this service's name (default: a registry of its own). */
  metrics?: Metrics;
}

export interface NotificationsService {
  http: HttpServer;
  /** This instance's id (presence keys, logs); every instance of the service has its own. */
  instanceId: string;
  /** Listens on config.HOST / PORT (0 = any free port); resolves to the bound port. */
  start(): Promise<{ httpPort: number }>;
  /** Closes every socket with 1012 (clients reconnect elsewhere), stops consuming, then the server. */
  stop(): Promise<void>;
}

/**
 * Wires the notifications service: the WebSocket endpoint and its per-instance socket hub, the
 * bus consumers (fan-out, stored notifications, their delivery and push, session ends), the REST
 * API for notifications, push subscriptions and presence, and the outbox relay.
 */
export async function createNotificationsService(deps: NotificationsDeps): Promise<NotificationsService> {
  const metrics = deps.metrics ?? createMetrics('notifications');
  const instanceId = newId();
  const logger = deps.logger.child({ instanceId });
  const { config, db, cache, bus, pubsub, jobs, verifyToken } = instrumented({ ...deps, logger }, metrics);
  await migrate(db, notificationsMigrations);
  const vapid = await loadVapidKeys(db, config.VAPID_SUBJECT);
  const relay = createOutboxRelay({ db, bus, logger, metrics });
  const directory = createConversationDirectory({
    db,
    cache,
    groups: deps.groups,
    logger,
    membersTtlSeconds: config.GROUP_MEMBERS_CACHE_SECONDS,
  });
  const presence = createPresence({
    instanceId,
    db,
    cache,
    pubsub,
    logger,
    directory,
    accounts: deps.accounts,
    outbox: relay,
    graceSeconds: config.PRESENCE_GRACE_SECONDS,
    sweepMs: config.PRESENCE_SWEEP_SECONDS * 1000,
    maxGroupMembers: config.PRESENCE_MAX_GROUP_MEMBERS,
  });
  const ctx: NotificationsContext = {
    config,
    db,
    cache,
    pubsub,
    logger,
    groups: deps.groups,
    accounts: deps.accounts,
    outbox: relay,
    directory,
    presence,
    vapid,
  };

  // Without Redis the service still serves; live delivery, presence and typing pause: degraded.
  const http = await createServiceHttpServer({
    service: 'notifications',
    logger,
    metrics,
    config,
    db,
    bus,
    cache,
    redis: async () => !pubsub.degraded() && (await cache.ping()),
  });
  const wsMetrics = createWsMetrics(metrics);
  const hub = createSocketHub({ pubsub, presence, logger, metrics: wsMetrics, resyncSpreadMs: config.WS_RESYNC_SPREAD_MS });
  const realtime = await realtimeRoutes(http, {
    config,
    hub,
    verifyToken,
    logger,
    metrics: wsMetrics,
    typing: (userId, conversationId) => relayTyping(ctx, userId, conversationId),
  });
  notificationsRoutes(http, ctx, verifyToken);
  pushRoutes(http, ctx, verifyToken);
  presenceRoutes(http, ctx, verifyToken);

  const consumers: { close(): Promise<void> }[] = [];
  let started = false;
  return {
    http,
    instanceId,
    async start() {
      started = true;
      relay.start();
      await hub.start();
      await presence.start();
      consumers.push(await subscribeSessions(bus, ctx), await subscribeFanOut(bus, ctx), await subscribeStore(bus, ctx), await subscribeDeliver(bus, ctx));
      const httpPort = await listenHttp(http, config.HOST, config.PORT);
      realtime.start();
      startJobsWhenReady(jobs, { periodic: [pruneNotificationsJob(ctx), eventsCleanUpJob(db)] }, logger);
      logger.debug({ httpPort }, 'notifications listening');
      return { httpPort };
    },
    async stop() {
      if (started) {
        // Consumers first: events still queued go to the other instances (or wait for a restart).
        await Promise.allSettled(consumers.map((consumer) => consumer.close()));
        consumers.length = 0;
        await realtime.stop();
        await hub.stop();
        await presence.stop();
      }
      await http.close();
      await relay.stop();
    },
  };
}
