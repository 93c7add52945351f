/**
 * The groups test stack: accounts and groups started in-process on ephemeral ports from their
 * definitions (`@parley/kit/testing` createTestStack), sharing ONE set of test adapters (cache,
 * bus, pub/sub, jobs), so sessions and events flow between them as in production.
 *
 *   startGroupsStack(kind, options?) → Promise<GroupsStack>
 *     kind: 'embedded' | 'real' (from adapterKinds()); options.groupsEnv / options.accountsEnv
 *     override either service's environment (e.g. { GROUP_MEMBER_LIMIT: '3' }).
 *   GroupsStack:
 *     accountsUrl, groupsUrl            http://127.0.0.1:<port>
 *     accountsGrpcAddress, groupsGrpcAddress   127.0.0.1:<port>
 *     adapters                          the shared Adapters
 *     accounts, groups                  the service objects (accounts.verifyToken is the in-process verifier)
 *     accountsDb, groupsDb              each service's own test database
 *     verifyToken                       the verifier groups uses: accounts' JWKS over HTTP + CheckSession over gRPC
 *     accountsClient                    groups' client of accounts.v1.Users
 *     groupsClient                      a client of groups.v1.Groups, closed by stop()
 *     register()                        a fresh user: { id, username, token, sessionId, refreshToken }
 *     stop()                            stops both services, closes clients, adapters and databases
 *   createGroupWithRoles(stack, users?) a group with an owner, an admin, a member, a removed member
 *                                       and an outsider (users reused when given): RoleFixture
 *   registerRoleUsers(stack)            the six users createGroupWithRoles needs, to reuse across groups
 *
 * The generic helpers (apiFor, expectProblem, expectFieldErrors, registerUser) are the kit's:
 * import them from '@parley/kit/testing'.
 */
import { accountsService, type AccountsService } from '@parley/accounts';
import { groupsV1, type accountsV1 } from '@parley/contracts';
import { createGrpcClient, type Adapters, type Db, type TokenVerifier } from '@parley/kit';
import { apiFor, buildTestStack, registerTestUser, type AdapterKind, type TestUser } from '@parley/kit/testing';
import type { GroupsService } from '../src/app.ts';
import { groupsService } from '../src/service.ts';

export type { AdapterKind } from '@parley/kit/testing';
export type StackUser = TestUser;

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

export function startGroupsStack(kind: AdapterKind, options: StackOptions = {}): Promise<GroupsStack> {
  return buildTestStack(kind, async (stack) => {
    const accounts = await stack.start(accountsService({ runWorker: true }), { env: { ...GENEROUS, ...options.accountsEnv } });
    const groups = await stack.start(groupsService, { env: { ...GENEROUS, ...options.groupsEnv } });
    const groupsClient = createGrpcClient(groupsV1.GroupsClient, groups.grpcAddress!);
    stack.defer(() => groupsClient.close());
    const accountsApi = apiFor(accounts.url);
    return {
      accountsUrl: accounts.url,
      groupsUrl: groups.url,
      accountsGrpcAddress: accounts.grpcAddress!,
      groupsGrpcAddress: groups.grpcAddress!,
      adapters: stack.adapters,
      accounts: accounts.service,
      groups: groups.service,
      accountsDb: accounts.parts.db,
      groupsDb: groups.parts.db,
      verifyToken: groups.parts.verifyToken,
      accountsClient: groups.parts.clients.accounts,
      groupsClient,
      register: () => registerTestUser(accountsApi),
      stop: () => stack.stop(),
    };
  });
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
