/**
 * A reusable test stack: accounts and groups started in-process on ephemeral ports, sharing ONE
 * set of test adapters (createTestAdapters: cache, bus, pub/sub, jobs), so sessions and events
 * flow between them as in production. The messages and notifications suites build on it; keep
 * these exports stable (add, don't change):
 *
 *   startGroupsStack(kind, options?) → Promise<GroupsStack>
 *     kind: 'embedded' | 'real' (from adapterKinds()); options.groupsEnv / options.accountsEnv
 *     override either service's environment (e.g. { GROUP_MEMBER_LIMIT: '3' }).
 *   GroupsStack:
 *     accountsUrl, groupsUrl            http://127.0.0.1:<port>
 *     accountsGrpcAddress, groupsGrpcAddress   127.0.0.1:<port>
 *     adapters                          the shared Adapters (start your own service on them)
 *     accounts, groups                  the service objects (accounts.verifyToken is the in-process verifier)
 *     accountsDb, groupsDb              each service's own test database
 *     verifyToken                       the verifier groups uses: accounts' JWKS over HTTP + CheckSession over gRPC
 *     accountsClient, groupsClient      gRPC clients (accountsV1.UsersClient, groupsV1.GroupsClient), closed by stop()
 *     register()                        a fresh user: { id, username, token, sessionId, refreshToken }
 *     stop()                            stops both services, closes clients, adapters and databases
 *   createGroupWithRoles(stack, users?) a group with an owner, an admin, a member, a removed member
 *                                       and an outsider (users reused when given): RoleFixture
 *   registerRoleUsers(stack)            the six users createGroupWithRoles needs, to reuse across groups
 *
 * The generic helpers (apiFor, expectProblem, expectFieldErrors, registerUser) are the kit's:
 * import them from '@parley/kit/testing'.
 */
import { createAccountsService, accountsConfigSchema, type AccountsService } from '@parley/accounts';
import { accountsV1, groupsV1 } from '@parley/contracts';
import { createGrpcClient, createLogger, createRemoteTokenVerifier, loadConfig, type Adapters, type Db, type TokenVerifier } from '@parley/kit';
import { apiFor, createTestAdapters, openTestDb, registerUser, type Api } from '@parley/kit/testing';
import { createGroupsService, type GroupsService } from '../src/app.ts';
import { groupsConfigSchema } from '../src/config.ts';

export type AdapterKind = 'embedded' | 'real';

export interface StackUser {
  id: string;
  username: string;
  /** An access token (Bearer). */
  token: string;
  sessionId: string;
  refreshToken: string;
}

export interface GroupsStack {
  accountsUrl: string;
  groupsUrl: string;
  accountsGrpcAddress: string;
  groupsGrpcAddress: string;
  adapters: Adapters;
  accounts: AccountsService;
  groups: GroupsService;
  accountsDb: Db;
  groupsDb: Db;
  verifyToken: TokenVerifier;
  accountsClient: accountsV1.UsersClient;
  groupsClient: groupsV1.GroupsClient;
  register(): Promise<StackUser>;
  stop(): Promise<void>;
}

export interface StackOptions {
  groupsEnv?: Record<string, string>;
  accountsEnv?: Record<string, string>;
}

/** No per-IP limit of either service gets in a test's way. */
const GENEROUS = { RATE_LIMIT_PER_MINUTE: '1000000', AUTH_MAX_PER_IP: '1000000' };

export async function startGroupsStack(kind: AdapterKind, options: StackOptions = {}): Promise<GroupsStack> {
  const base = { PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent', ...GENEROUS };
  const accountsConfig = loadConfig(accountsConfigSchema, { ...base, ...options.accountsEnv });
  const logger = createLogger('test', accountsConfig.LOG_LEVEL);
  const adapters = createTestAdapters(kind, logger);
  const stops: (() => Promise<void>)[] = [() => adapters.close()];
  const stopAll = async () => {
    for (const stop of stops) await stop().catch(() => undefined);
  };
  try {
    const accountsDb = await openTestDb(kind);
    stops.push(() => accountsDb.close());
    const accounts = await createAccountsService({
      config: accountsConfig,
      db: accountsDb,
      ...adapters,
      jobs: adapters.jobs('accounts'),
      logger: createLogger('accounts', accountsConfig.LOG_LEVEL),
      runWorker: true,
    });
    const accountsPorts = await accounts.start();
    stops.unshift(() => accounts.stop());
    const accountsUrl = `http://127.0.0.1:${accountsPorts.httpPort}`;
    const accountsGrpcAddress = `127.0.0.1:${accountsPorts.grpcPort}`;

    const groupsConfig = loadConfig(groupsConfigSchema, {
      ...base,
      ACCOUNTS_URL: accountsUrl,
      ACCOUNTS_GRPC_ADDRESS: accountsGrpcAddress,
      ...options.groupsEnv,
    });
    const groupsLogger = createLogger('groups', groupsConfig.LOG_LEVEL);
    const accountsClient = createGrpcClient(accountsV1.UsersClient, accountsGrpcAddress, { logger: groupsLogger });
    stops.push(async () => accountsClient.close());
    const verifyToken = createRemoteTokenVerifier({ accountsUrl, cache: adapters.cache, accounts: accountsClient });
    const groupsDb = await openTestDb(kind);
    stops.push(() => groupsDb.close());
    const groups = await createGroupsService({
      config: groupsConfig,
      db: groupsDb,
      cache: adapters.cache,
      bus: adapters.bus,
      jobs: adapters.jobs('groups'),
      logger: groupsLogger,
      verifyToken,
      accounts: accountsClient,
    });
    const groupsPorts = await groups.start();
    stops.unshift(() => groups.stop());
    const groupsGrpcAddress = `127.0.0.1:${groupsPorts.grpcPort}`;
    const groupsClient = createGrpcClient(groupsV1.GroupsClient, groupsGrpcAddress);
    stops.unshift(async () => groupsClient.close());

    const accountsApi = apiFor(accountsUrl);
    return {
      accountsUrl,
      groupsUrl: `http://127.0.0.1:${groupsPorts.httpPort}`,
      accountsGrpcAddress,
      groupsGrpcAddress,
      adapters,
      accounts,
      groups,
      accountsDb,
      groupsDb,
      verifyToken,
      accountsClient,
      groupsClient,
      register: () => registerStackUser(accountsApi),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A fresh user through accounts' API, as the stack's tests hold it. */
async function registerStackUser(api: Api): Promise<StackUser> {
  const registered = await registerUser(api);
  return {
    id: registered.user.id,
    username: registered.user.username,
    token: registered.accessToken,
    sessionId: registered.sessionId,
    refreshToken: registered.refreshToken,
  };
}

// ---------- fixtures ----------

export interface RoleUsers {
  owner: StackUser;
  admin: StackUser;
  member: StackUser;
  /** Added to the group, then removed by the owner. */
  removed: StackUser;
  /** Never in the group. */
  outsider: StackUser;
  /** Another plain member, for calls that need a second one (a target). */
  other: StackUser;
}

export interface RoleFixture extends RoleUsers {
  groupId: string;
}

export async function registerRoleUsers(stack: GroupsStack): Promise<RoleUsers> {
  const [owner, admin, member, removed, outsider, other] = await Promise.all(Array.from({ length: 6 }, () => stack.register()));
  return { owner: owner!, admin: admin!, member: member!, removed: removed!, outsider: outsider!, other: other! };
}

/** A fresh group where each role is played by one user: owner, admin, member, other (member), removed (gone), outsider (never). */
export async function createGroupWithRoles(stack: GroupsStack, users?: RoleUsers): Promise<RoleFixture> {
  const u = users ?? (await registerRoleUsers(stack));
  const api = apiFor(stack.groupsUrl);
  const created = await api('POST', '/api/v1/groups', {
    token: u.owner.token,
    body: { name: 'Roles', memberIds: [u.admin.id, u.member.id, u.removed.id, u.other.id] },
  });
  if (created.status !== 201) throw new Error(`create group failed: ${created.status} ${JSON.stringify(created.body)}`);
  const groupId: string = created.body.id;
  const promoted = await api('PATCH', `/api/v1/groups/${groupId}/members/${u.admin.id}`, { token: u.owner.token, body: { role: 'admin' } });
  if (promoted.status !== 200) throw new Error(`promote failed: ${promoted.status} ${JSON.stringify(promoted.body)}`);
  const removed = await api('DELETE', `/api/v1/groups/${groupId}/members/${u.removed.id}`, { token: u.owner.token });
  if (removed.status !== 204) throw new Error(`remove failed: ${removed.status} ${JSON.stringify(removed.body)}`);
  return { ...u, groupId };
}
