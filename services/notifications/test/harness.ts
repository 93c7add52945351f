import { accountsService } from '@parley/accounts';
import type { EventData, EventType } from '@parley/contracts';
import { groupsService } from '@parley/groups';
import { makeEvent, type Adapters, type Bus, type Db, type EventEnvelope, type TokenVerifier } from '@parley/kit';
import {
  apiFor,
  buildTestStack,
  openTestDb,
  recordEvents,
  registerTestUser,
  type AdapterKind,
  type Api,
  type EventRecorder,
  type TestUser,
} from '@parley/kit/testing';
import { messagesService } from '@parley/messages';
import type { NotificationsService } from '../src/app.ts';
import type { NotificationsConfig } from '../src/config.ts';
import { notificationsService } from '../src/service.ts';

export { createGroup, openDirect, send, type AdapterKind } from '@parley/kit/testing';
export type StackUser = TestUser;

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

export interface NotificationsStack {
  accountsUrl: string;
  adapters: Adapters;
  /** The messages API (send, open a conversation). */
  api: Api;
  groupsApi: Api;
  /** The verifier messages uses: accounts' JWKS over HTTP + CheckSession over gRPC. */
  verifyToken: TokenVerifier;
  /** Every message.* event on the bus. */
  recorder: EventRecorder;
  register(): Promise<StackUser>;
  notificationsDb: Db;
  /** The instance started with the stack. */
  notifications: NotificationsInstance;
  /** Starts one more instance on the same database, cache, bus and pub/sub. */
  startInstance(options?: InstanceOptions): Promise<NotificationsInstance>;
  /** Publishes an event on the shared bus as another service would. */
  publish<T extends EventType>(type: T, data: EventData<T>, id?: string): Promise<EventEnvelope>;
  stop(): Promise<void>;
}

/** No per-IP or per-user limit of any service gets in a test's way. */
const GENEROUS = { RATE_LIMIT_PER_MINUTE: '1000000', AUTH_MAX_PER_IP: '1000000' };

/** Settings that keep tests quick: short auth timeout and presence grace, no rate limit in the way. */
const TEST_ENV = {
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  RATE_LIMIT_PER_MINUTE: '1000000',
  WS_AUTH_TIMEOUT_MS: '500',
  PRESENCE_GRACE_SECONDS: '1',
  PRESENCE_SWEEP_SECONDS: '1',
};

/**
 * Accounts, groups, messages and notifications started from their definitions
 * (`@parley/kit/testing` createTestStack) on one set of test adapters, so sessions and events
 * flow as in production. Instances of notifications share one database.
 */
export function startNotificationsStack(kind: AdapterKind, options: InstanceOptions = {}): Promise<NotificationsStack> {
  return buildTestStack(kind, async (stack) => {
    const accounts = await stack.start(accountsService({ runWorker: true }), { env: GENEROUS });
    const groups = await stack.start(groupsService, { env: GENEROUS });
    const messages = await stack.start(messagesService, { env: { ...GENEROUS, FILES_DIR: stack.tempDir('parley-messages-') } });
    const recorder = await recordEvents(stack.adapters.bus, ['message.*']);
    stack.defer(() => recorder.close());
    const notificationsDb = await openTestDb(kind);
    stack.defer(() => notificationsDb.close());

    let instances = 0;
    const startInstance = async (instanceOptions: InstanceOptions = {}): Promise<NotificationsInstance> => {
      const bus = instanceOptions.bus ?? options.bus ?? stack.adapters.bus;
      const verifyToken = instanceOptions.verifyToken ?? options.verifyToken;
      // Each instance works its own queue (the test adapters keep one jobs client per queue, and a
      // client works once): more instances only run the hourly clean-ups more often.
      instances += 1;
      const suffix = instances === 1 ? '' : `-${instances}`;
      const instance = await stack.start(notificationsService, {
        env: { ...TEST_ENV, ...options.env, ...instanceOptions.env },
        db: notificationsDb,
        adapters: { ...stack.adapters, bus, jobs: (queue: string) => stack.adapters.jobs(`${queue}${suffix}`) },
        ...(verifyToken && { verifyToken }),
      });
      const { service, config, url } = instance;
      return { service, config, url, wsUrl: `${url.replace('http', 'ws')}/ws`, api: apiFor(url), stop: () => instance.stop() };
    };

    const notifications = await startInstance();
    const accountsApi = apiFor(accounts.url);
    return {
      accountsUrl: accounts.url,
      adapters: stack.adapters,
      api: apiFor(messages.url),
      groupsApi: apiFor(groups.url),
      verifyToken: messages.parts.verifyToken,
      recorder,
      register: () => registerTestUser(accountsApi),
      notificationsDb,
      notifications,
      startInstance,
      async publish(type, data, id) {
        const event = { ...makeEvent(type, data, 'test'), ...(id ? { id } : {}) };
        await stack.adapters.bus.publish([event]);
        return event;
      },
      stop: () => stack.stop(),
    };
  });
}
