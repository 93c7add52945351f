/**
 * The messages test stack: accounts, groups and messages started in-process from their
 * definitions (`@parley/kit/testing` createTestStack) on one set of test adapters, so sessions,
 * group events and message events flow between them as in production. Exports (keep stable; the
 * search and files suites use them too):
 *
 *   startMessagesStack(kind, options?) → Promise<MessagesStack>
 *     options.messagesEnv / groupsEnv / accountsEnv override a service's environment;
 *     options.messagesPubSub replaces the pub/sub messages publishes live frames on.
 *   MessagesStack: accountsUrl, groupsUrl, messagesUrl, adapters, messages (the service),
 *     messagesDb, filesDir, verifyToken (messages' own), groupsClient (messages' client of groups),
 *     api (fetch wrapper for messages), groupsApi (for groups), register(), stop(),
 *     recorder (every message.* / reaction.* / read.* / conversation.* event on the bus)
 *   createGroup, send, openDirect: the kit's chat fixtures (`@parley/kit/testing`)
 *
 * The generic helpers (apiFor, expectProblem, expectFieldErrors, registerUser) are the kit's:
 * import them from '@parley/kit/testing'.
 */
import { accountsService } from '@parley/accounts';
import type { groupsV1 } from '@parley/contracts';
import { groupsService } from '@parley/groups';
import type { Adapters, Db, PubSub, TokenVerifier } from '@parley/kit';
import { apiFor, buildTestStack, recordEvents, registerTestUser, type AdapterKind, type Api, type EventRecorder, type TestUser } from '@parley/kit/testing';
import type { MessagesService } from '../src/app.ts';
import { messagesService } from '../src/service.ts';

export { createGroup, openDirect, send, type AdapterKind, type EventRecorder } from '@parley/kit/testing';
export type StackUser = TestUser;

export interface MessagesStack {
  accountsUrl: string;
  groupsUrl: string;
  messagesUrl: string;
  adapters: Adapters;
  messages: MessagesService;
  messagesDb: Db;
  filesDir: string;
  /** The verifier messages uses: accounts' JWKS over HTTP + CheckSession over gRPC. */
  verifyToken: TokenVerifier;
  api: Api;
  groupsApi: Api;
  /** The gRPC client messages asks groups with (spy on it to count calls). */
  groupsClient: groupsV1.GroupsClient;
  recorder: EventRecorder;
  register(): Promise<StackUser>;
  stop(): Promise<void>;
}

export interface MessagesStackOptions {
  messagesEnv?: Record<string, string>;
  groupsEnv?: Record<string, string>;
  accountsEnv?: Record<string, string>;
  /** The pub/sub messages publishes live frames on (default: the stack's), e.g. one that fails. */
  messagesPubSub?: (shared: PubSub) => PubSub;
}

/** No per-IP or per-user limit of any service gets in a test's way. */
const GENEROUS = { RATE_LIMIT_PER_MINUTE: '1000000', AUTH_MAX_PER_IP: '1000000' };

export function startMessagesStack(kind: AdapterKind, options: MessagesStackOptions = {}): Promise<MessagesStack> {
  return buildTestStack(kind, async (stack) => {
    const accounts = await stack.start(accountsService({ runWorker: true }), { env: { ...GENEROUS, ...options.accountsEnv } });
    const groups = await stack.start(groupsService, { env: { ...GENEROUS, ...options.groupsEnv } });
    const filesDir = stack.tempDir('parley-messages-');
    const { adapters } = stack;
    const messages = await stack.start(messagesService, {
      env: { ...GENEROUS, FILES_DIR: filesDir, ...options.messagesEnv },
      ...(options.messagesPubSub && { adapters: { ...adapters, pubsub: options.messagesPubSub(adapters.pubsub) } }),
    });
    const recorder = await recordEvents(adapters.bus, ['message.*', 'reaction.*', 'read.*', 'conversation.*']);
    stack.defer(() => recorder.close());
    const accountsApi = apiFor(accounts.url);
    return {
      accountsUrl: accounts.url,
      groupsUrl: groups.url,
      messagesUrl: messages.url,
      adapters,
      messages: messages.service,
      messagesDb: messages.parts.db,
      filesDir,
      verifyToken: messages.parts.verifyToken,
      api: apiFor(messages.url),
      groupsApi: apiFor(groups.url),
      groupsClient: messages.parts.clients.groups,
      recorder,
      register: () => registerTestUser(accountsApi),
      stop: () => stack.stop(),
    };
  });
}
