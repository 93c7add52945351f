/**
 * The messages test stack: accounts + groups (services/groups/test/stack.ts) and messages on
 * the same shared test adapters, so sessions, group events and message events flow between
 * them as in production. Exports (keep stable; the search and files suites use them too):
 *
 *   startMessagesStack(kind, options?) → Promise<MessagesStack>
 *     options.messagesEnv / groupsEnv / accountsEnv override a service's environment;
 *     options.messagesPubSub replaces the pub/sub messages publishes live frames on.
 *   MessagesStack = GroupsStack & {
 *     messagesUrl, messages (the service), messagesDb, filesDir,
 *     api            fetch wrapper for messages,  groupsApi for groups
 *     recorder       every message.* / reaction.* / read.* / conversation.* event on the bus
 *     stop()
 *   }
 *   createGroup(stack, owner, members) → groupId   a group through the groups API
 *   send(stack, user, conversationId, body?, extra?) → message   a message (throws unless 201)
 *   openDirect(stack, user, other) → conversation id
 *   re-exported from groups' stack: createGroupWithRoles, registerRoleUsers and its types
 *
 * The generic helpers (apiFor, expectProblem, expectFieldErrors, registerUser) are the kit's:
 * import them from '@parley/kit/testing'.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsV1, groupsV1 } from '@parley/contracts';
import { createGrpcClient, createLogger, loadConfig, type Db, type EventEnvelope, type PubSub } from '@parley/kit';
import { apiFor, openTestDb, uniqueName, type Api } from '@parley/kit/testing';
import { createMessagesService, type MessagesService } from '../src/app.ts';
import { messagesConfigSchema } from '../src/config.ts';
import { startGroupsStack, type AdapterKind, type GroupsStack, type StackUser } from '../../groups/test/stack.ts';

export {
  createGroupWithRoles,
  registerRoleUsers,
  type AdapterKind,
  type GroupsStack,
  type RoleFixture,
  type RoleUsers,
  type StackUser,
} from '../../groups/test/stack.ts';

export interface EventRecorder {
  /** Every event seen so far, in arrival order. */
  events: EventEnvelope[];
  /** Events whose type matches and whose data passes the filter. */
  of(type: string, where?: (data: any) => boolean): EventEnvelope<any>[];
}

export interface MessagesStack extends GroupsStack {
  messagesUrl: string;
  messages: MessagesService;
  messagesDb: Db;
  filesDir: string;
  api: Api;
  groupsApi: Api;
  /** The gRPC client messages asks groups with (spy on it to count calls). */
  groupsClient: groupsV1.GroupsClient;
  recorder: EventRecorder;
}

export interface MessagesStackOptions {
  messagesEnv?: Record<string, string>;
  groupsEnv?: Record<string, string>;
  accountsEnv?: Record<string, string>;
  /** The pub/sub messages publishes live frames on (default: the stack's), e.g. one that fails. */
  messagesPubSub?: (shared: PubSub) => PubSub;
}

export async function startMessagesStack(kind: AdapterKind, options: MessagesStackOptions = {}): Promise<MessagesStack> {
  const stack = await startGroupsStack(kind, {
    ...(options.groupsEnv ? { groupsEnv: options.groupsEnv } : {}),
    ...(options.accountsEnv ? { accountsEnv: options.accountsEnv } : {}),
  });
  const cleanups: (() => Promise<void>)[] = [() => stack.stop()];
  const cleanup = async () => {
    for (const fn of cleanups) await fn().catch(() => undefined);
  };
  try {
    const filesDir = mkdtempSync(join(tmpdir(), 'parley-messages-'));
    cleanups.push(async () => rmSync(filesDir, { recursive: true, force: true }));
    const config = loadConfig(messagesConfigSchema, {
      PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ACCOUNTS_URL: stack.accountsUrl,
      ACCOUNTS_GRPC_ADDRESS: stack.accountsGrpcAddress,
      GROUPS_GRPC_ADDRESS: stack.groupsGrpcAddress,
      FILES_DIR: filesDir,
      ...options.messagesEnv,
    });
    const logger = createLogger('messages', config.LOG_LEVEL);
    const accounts = createGrpcClient(accountsV1.UsersClient, config.ACCOUNTS_GRPC_ADDRESS, { logger, deadlineMs: config.GRPC_DEADLINE_MS });
    const groups = createGrpcClient(groupsV1.GroupsClient, config.GROUPS_GRPC_ADDRESS, { logger, deadlineMs: config.GRPC_DEADLINE_MS });
    cleanups.unshift(async () => {
      accounts.close();
      groups.close();
    });
    const messagesDb = await openTestDb(kind);
    cleanups.push(() => messagesDb.close());
    const messages = await createMessagesService({
      config,
      db: messagesDb,
      cache: stack.adapters.cache,
      bus: stack.adapters.bus,
      pubsub: options.messagesPubSub?.(stack.adapters.pubsub) ?? stack.adapters.pubsub,
      jobs: stack.adapters.jobs('messages'),
      logger,
      verifyToken: stack.verifyToken,
      accounts,
      groups,
    });
    const { httpPort } = await messages.start();
    cleanups.unshift(() => messages.stop());

    const events: EventEnvelope[] = [];
    const subscription = await stack.adapters.bus.subscribe(
      { queue: uniqueName('test.messages-recorder'), bindings: ['message.*', 'reaction.*', 'read.*', 'conversation.*'] },
      async (event) => {
        events.push(event);
      },
    );
    cleanups.unshift(() => subscription.close());

    const messagesUrl = `http://127.0.0.1:${httpPort}`;
    return {
      ...stack,
      messagesUrl,
      messages,
      messagesDb,
      filesDir,
      api: apiFor(messagesUrl),
      groupsApi: apiFor(stack.groupsUrl),
      groupsClient: groups,
      recorder: {
        events,
        of: (type, where = () => true) => events.filter((e) => e.type === type && where(e.data)) as EventEnvelope<any>[],
      },
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A group through the groups API; the owner plus members. */
export async function createGroup(stack: MessagesStack, owner: StackUser, members: StackUser[] = [], name = 'Test group'): Promise<string> {
  const res = await stack.groupsApi('POST', '/api/v1/groups', { token: owner.token, body: { name, memberIds: members.map((m) => m.id) } });
  if (res.status !== 201) throw new Error(`create group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

let messageCounter = 0;
/** Sends a message and returns it; throws unless the answer is 201. */
export async function send(
  stack: MessagesStack,
  user: StackUser,
  conversationId: string,
  body = `hello ${++messageCounter}`,
  extra: Record<string, unknown> = {},
): Promise<any> {
  const res = await stack.api('POST', `/api/v1/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { body, clientMessageId: uniqueName('c'), ...extra },
  });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The direct conversation of two users (created if needed); its id. */
export async function openDirect(stack: MessagesStack, user: StackUser, other: StackUser): Promise<string> {
  const res = await stack.api('POST', '/api/v1/conversations/direct', { token: user.token, body: { userId: other.id } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`open direct failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}
