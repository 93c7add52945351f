import { accountsV1, groupsV1, type EventData, type EventType } from '@parley/contracts';
import { createGrpcClient, createLogger, loadConfig, makeEvent, type Bus, type Db, type EventEnvelope, type TokenVerifier } from '@parley/kit';
import { apiFor, openTestDb, type Api } from '@parley/kit/testing';
import { createNotificationsService, type NotificationsService } from '../src/app.ts';
import { notificationsConfigSchema, type NotificationsConfig } from '../src/config.ts';
import { startMessagesStack, type AdapterKind, type MessagesStack } from '../../messages/test/stack.ts';

export * from '../../messages/test/stack.ts';

export interface NotificationsInstance {
  service: NotificationsService;
  config: NotificationsConfig;
  url: string;
  wsUrl: string;
  api: Api;
  stop(): Promise<void>;
}

export interface InstanceOptions {
  env?: Record<string, string>;
  /** Another bus than the stack's (e.g. through a TCP proxy). */
  bus?: Bus;
  verifyToken?: TokenVerifier;
}

export interface NotificationsStack extends MessagesStack {
  notificationsDb: Db;
  /** The instance started with the stack. */
  notifications: NotificationsInstance;
  /** Starts one more instance on the same database, cache, bus and pub/sub. */
  startInstance(options?: InstanceOptions): Promise<NotificationsInstance>;
  /** Publishes an event on the shared bus as another service would. */
  publish<T extends EventType>(type: T, data: EventData<T>, id?: string): Promise<EventEnvelope>;
}

/** Settings that keep tests quick: short auth timeout and presence grace, no rate limit in the way. */
const TEST_ENV = {
  PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  RATE_LIMIT_PER_MINUTE: '1000000',
  WS_AUTH_TIMEOUT_MS: '500',
  PRESENCE_GRACE_SECONDS: '1',
  PRESENCE_SWEEP_SECONDS: '1',
};

/**
 * Accounts, groups and messages (messages' test stack, itself on groups'), plus notifications,
 * all on one set of test adapters, so sessions and events flow as in production.
 */
export async function startNotificationsStack(kind: AdapterKind, options: InstanceOptions = {}): Promise<NotificationsStack> {
  const stack = await startMessagesStack(kind);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    await stack.stop();
  };
  try {
    const notificationsDb = await openTestDb(kind);
    stops.push(() => notificationsDb.close());

    let instances = 0;
    const startInstance = async (instanceOptions: InstanceOptions = {}): Promise<NotificationsInstance> => {
      // Each instance works its own queue (the test adapters keep one jobs client per queue, and a
      // client works once): more instances only run the hourly clean-ups more often.
      instances += 1;
      const queue = instances === 1 ? 'notifications' : `notifications-${instances}`;
      const config = loadConfig(notificationsConfigSchema, {
        ...TEST_ENV,
        ACCOUNTS_URL: stack.accountsUrl,
        ACCOUNTS_GRPC_ADDRESS: stack.accountsGrpcAddress,
        GROUPS_GRPC_ADDRESS: stack.groupsGrpcAddress,
        ...options.env,
        ...instanceOptions.env,
      });
      const logger = createLogger('notifications', config.LOG_LEVEL);
      const accounts = createGrpcClient(accountsV1.UsersClient, config.ACCOUNTS_GRPC_ADDRESS, { logger });
      const groups = createGrpcClient(groupsV1.GroupsClient, config.GROUPS_GRPC_ADDRESS, { logger });
      const service = await createNotificationsService({
        config,
        db: notificationsDb,
        cache: stack.adapters.cache,
        bus: instanceOptions.bus ?? options.bus ?? stack.adapters.bus,
        pubsub: stack.adapters.pubsub,
        jobs: stack.adapters.jobs(queue),
        logger,
        verifyToken: instanceOptions.verifyToken ?? options.verifyToken ?? stack.verifyToken,
        groups,
        accounts,
      });
      const { httpPort } = await service.start();
      let stopped = false;
      const stop = async (): Promise<void> => {
        if (stopped) return;
        stopped = true;
        await service.stop();
        accounts.close();
        groups.close();
      };
      stops.unshift(stop);
      const url = `http://127.0.0.1:${httpPort}`;
      return { service, config, url, wsUrl: `ws://127.0.0.1:${httpPort}/ws`, api: apiFor(url), stop };
    };

    const notifications = await startInstance();
    return {
      ...stack,
      notificationsDb,
      notifications,
      startInstance,
      async publish(type, data, id) {
        const event = { ...makeEvent(type, data, 'test'), ...(id ? { id } : {}) };
        await stack.adapters.bus.publish([event]);
        return event;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
