import { adapterKinds, apiFor, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroupWithRoles, registerRoleUsers, startGroupsStack, type GroupsStack, type RoleFixture, type RoleUsers, type StackUser } from './stack.ts';

// Two services start per file (two databases); on a busy machine that alone can take a minute.
vi.setConfig({ hookTimeout: 180_000, testTimeout: 120_000 });

/** Who calls: each a different relation to the group; `anonymous` sends no token. */
const ROLES = ['anonymous', 'outsider', 'removed', 'member', 'admin', 'owner'] as const;
type Role = (typeof ROLES)[number];

interface Endpoint {
  /** Runs the call as `caller` against a fresh group; answers what to compare (the status, with more where it matters). */
  call(api: Api, f: RoleFixture & { newcomer: StackUser }, caller: StackUser | undefined): Promise<string>;
  /** What each role gets. */
  expected: Record<Role, string>;
}

const status = async (res: Promise<{ status: number }>): Promise<string> => String((await res).status);
const token = (caller: StackUser | undefined) => (caller ? { token: caller.token } : {});

/**
 * Every groups endpoint × every relation to the group. Non-members (outsiders, removed members)
 * get 404 for every group resource; members lacking the role get 403.
 */
const MATRIX: Record<string, Endpoint> = {
  'GET /groups (is the group listed?)': {
    async call(api, f, caller) {
      const res = await api('GET', '/api/v1/groups?limit=200', token(caller));
      if (res.status !== 200) return String(res.status);
      return res.body.items.some((g: any) => g.id === f.groupId) ? '200 listed' : '200 unlisted';
    },
    expected: { anonymous: '401', outsider: '200 unlisted', removed: '200 unlisted', member: '200 listed', admin: '200 listed', owner: '200 listed' },
  },
  'GET /groups/:id': {
    call: (api, f, caller) => status(api('GET', `/api/v1/groups/${f.groupId}`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '200', admin: '200', owner: '200' },
  },
  'PATCH /groups/:id': {
    call: (api, f, caller) => status(api('PATCH', `/api/v1/groups/${f.groupId}`, { ...token(caller), body: { name: 'Renamed' } })),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '200', owner: '200' },
  },
  'DELETE /groups/:id': {
    call: (api, f, caller) => status(api('DELETE', `/api/v1/groups/${f.groupId}`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '403', owner: '204' },
  },
  'GET /groups/:id/members': {
    call: (api, f, caller) => status(api('GET', `/api/v1/groups/${f.groupId}/members`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '200', admin: '200', owner: '200' },
  },
  'POST /groups/:id/members': {
    call: (api, f, caller) => status(api('POST', `/api/v1/groups/${f.groupId}/members`, { ...token(caller), body: { userIds: [f.newcomer.id] } })),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '200', owner: '200' },
  },
  'DELETE /groups/:id/members/:userId (a member)': {
    call: (api, f, caller) => status(api('DELETE', `/api/v1/groups/${f.groupId}/members/${f.other.id}`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '204', owner: '204' },
  },
  'DELETE /groups/:id/members/:userId (another admin)': {
    async call(api, f, caller) {
      await api('PATCH', `/api/v1/groups/${f.groupId}/members/${f.other.id}`, { token: f.owner.token, body: { role: 'admin' } });
      return status(api('DELETE', `/api/v1/groups/${f.groupId}/members/${f.other.id}`, token(caller)));
    },
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '403', owner: '204' },
  },
  'DELETE /groups/:id/members/:userId (the owner; for the owner, leaving)': {
    call: (api, f, caller) => status(api('DELETE', `/api/v1/groups/${f.groupId}/members/${f.owner.id}`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '403', owner: '409' },
  },
  'DELETE /groups/:id/members/:userId (yourself: leave)': {
    call: (api, f, caller) => status(api('DELETE', `/api/v1/groups/${f.groupId}/members/${(caller ?? f.outsider).id}`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '204', admin: '204', owner: '409' },
  },
  'DELETE /groups/:id/members/:userId (someone not in the group)': {
    call: (api, f, caller) => status(api('DELETE', `/api/v1/groups/${f.groupId}/members/${f.newcomer.id}`, token(caller))),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '404', owner: '404' },
  },
  'PATCH /groups/:id/members/:userId {role: admin} (promote a member)': {
    call: (api, f, caller) => status(api('PATCH', `/api/v1/groups/${f.groupId}/members/${f.other.id}`, { ...token(caller), body: { role: 'admin' } })),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '403', owner: '200' },
  },
  'PATCH /groups/:id/members/:userId {role: member} (demote the admin)': {
    call: (api, f, caller) => status(api('PATCH', `/api/v1/groups/${f.groupId}/members/${f.admin.id}`, { ...token(caller), body: { role: 'member' } })),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '403', owner: '200' },
  },
  'PATCH /groups/:id/members/:userId {role: owner} (hand ownership over)': {
    call: (api, f, caller) => status(api('PATCH', `/api/v1/groups/${f.groupId}/members/${f.other.id}`, { ...token(caller), body: { role: 'owner' } })),
    expected: { anonymous: '401', outsider: '404', removed: '404', member: '403', admin: '403', owner: '200' },
  },
};

describe.each(adapterKinds())('groups authorisation (%s)', (kind) => {
  let stack: GroupsStack;
  let api: Api;
  let users: RoleUsers;
  let newcomer: StackUser;

  beforeAll(async () => {
    stack = await startGroupsStack(kind);
    api = apiFor(stack.groupsUrl);
    [users, newcomer] = await Promise.all([registerRoleUsers(stack), stack.register()]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('every groups endpoint answers each relation to the group as the matrix says (fresh group per call)', async () => {
    const actual: Record<string, Record<Role, string>> = {};
    const expected: Record<string, Record<Role, string>> = {};
    for (const [name, endpoint] of Object.entries(MATRIX)) {
      expected[name] = endpoint.expected;
      const row = {} as Record<Role, string>;
      for (const role of ROLES) {
        const fixture = { ...(await createGroupWithRoles(stack, users)), newcomer };
        const caller = role === 'anonymous' ? undefined : fixture[role];
        row[role] = await endpoint.call(api, fixture, caller);
      }
      actual[name] = row;
    }
    expect(actual).toEqual(expected);
  }, 300_000);
});
