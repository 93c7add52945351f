import { adapterKinds, currentEntry, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { groupMemberships, membershipId } from '../src/domain/membership.ts';
import { send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Who calls: each a different relation to the group; `anonymous` sends no token. */
const ROLES = ['anonymous', 'outsider', 'removed', 'member', 'admin', 'owner'] as const;
type Role = (typeof ROLES)[number];
type MemberRole = Exclude<Role, 'anonymous' | 'outsider'>;

interface Users {
  owner: StackUser;
  admin: StackUser;
  member: StackUser;
  removed: StackUser;
  other: StackUser;
  outsider: StackUser;
  newcomer: StackUser;
}

/** A group where each role is played by one user, each member (the removed one too, before removal) with a message of their own. */
interface Fixture extends Users {
  groupId: string;
  own: Record<MemberRole | 'other', { id: string }>;
  fileId: string;
  word: string;
}

interface Cell {
  /** The call as `caller` (undefined: no token); answers what to compare: the status, with more where it matters. */
  call(f: Fixture, caller: StackUser | undefined, role: Role): Promise<string>;
  expected: Record<Role, string>;
  /** Changes the group for good: every role gets a fixture of its own. */
  fresh?: boolean;
}

const row = (anonymous: string, outsider: string, removed: string, member: string, admin: string, owner: string): Record<Role, string> => ({
  anonymous,
  outsider,
  removed,
  member,
  admin,
  owner,
});

describe.each(adapterKinds())('authorisation matrix (%s)', (kind) => {
  let s: MessagesStack;
  let users: Users;
  let shared: Fixture;

  const upload = async (user: StackUser | undefined) => {
    const form = new FormData();
    form.append('file', new Blob([PNG_1PX], { type: 'image/png' }), 'pixel.png');
    return s.api('POST', '/api/v1/files', { ...(user ? { token: user.token } : {}), raw: form });
  };

  async function buildFixture(): Promise<Fixture> {
    const { owner, admin, member, removed, other } = users;
    const created = await s.groupsApi('POST', '/api/v1/groups', {
      token: owner.token,
      body: { name: 'Matrix', memberIds: [admin.id, member.id, removed.id, other.id] },
    });
    expect(created.status).toBe(201);
    const groupId: string = created.body.id;
    expect((await s.groupsApi('PATCH', `/api/v1/groups/${groupId}/members/${admin.id}`, { token: owner.token, body: { role: 'admin' } })).status).toBe(200);
    const word = `quokka${Math.random().toString(36).slice(2, 8)}`;
    const file = await upload(owner);
    expect(file.status).toBe(201);
    const own = {
      owner: await send(s, owner, groupId, 'the file', { attachmentIds: [file.body.id] }),
      admin: await send(s, admin, groupId),
      member: await send(s, member, groupId),
      removed: await send(s, removed, groupId),
      // Nobody edits this one in the shared fixture: search finds it by its word.
      other: await send(s, other, groupId, `a ${word} was seen`),
    };
    expect((await s.groupsApi('DELETE', `/api/v1/groups/${groupId}/members/${removed.id}`, { token: owner.token })).status).toBe(204);
    // The removal's event has reached messages (its cached "yes" for the removed member is gone).
    await vi.waitFor(async () => expect(await currentEntry(s.adapters.cache, groupMemberships, membershipId(groupId, removed.id))).toBeUndefined(), WAIT);
    return { ...users, groupId, own, fileId: file.body.id, word };
  }

  beforeAll(async () => {
    s = await startMessagesStack(kind);
    const [owner, admin, member, removed, other, outsider, newcomer] = await Promise.all(Array.from({ length: 7 }, () => s.register()));
    users = { owner: owner!, admin: admin!, member: member!, removed: removed!, other: other!, outsider: outsider!, newcomer: newcomer! };
    shared = await buildFixture();
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  const status = async (res: Promise<{ status: number }>): Promise<string> => String((await res).status);
  const auth = (caller: StackUser | undefined) => (caller ? { token: caller.token } : {});
  const g = (): Api => s.groupsApi;
  const m = (): Api => s.api;
  /** The caller's own message; non-members without one act on the owner's. */
  const ownMessage = (f: Fixture, role: Role) => (role === 'anonymous' || role === 'outsider' ? f.own.owner : f.own[role]);

  const MATRIX: Record<string, Cell> = {
    // ---------- groups ----------
    'GET /groups (is the group listed?)': {
      async call(f, caller) {
        const res = await g()('GET', '/api/v1/groups?limit=200', auth(caller));
        if (res.status !== 200) return String(res.status);
        return res.body.items.some((x: any) => x.id === f.groupId) ? '200 listed' : '200 unlisted';
      },
      expected: row('401', '200 unlisted', '200 unlisted', '200 listed', '200 listed', '200 listed'),
    },
    'GET /groups/:id': {
      call: (f, caller) => status(g()('GET', `/api/v1/groups/${f.groupId}`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'PATCH /groups/:id': {
      call: (f, caller) => status(g()('PATCH', `/api/v1/groups/${f.groupId}`, { ...auth(caller), body: { name: 'Renamed' } })),
      expected: row('401', '404', '404', '403', '200', '200'),
    },
    'DELETE /groups/:id': {
      fresh: true,
      call: (f, caller) => status(g()('DELETE', `/api/v1/groups/${f.groupId}`, auth(caller))),
      expected: row('401', '404', '404', '403', '403', '204'),
    },
    'GET /groups/:id/members': {
      call: (f, caller) => status(g()('GET', `/api/v1/groups/${f.groupId}/members`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'POST /groups/:id/members': {
      call: (f, caller) => status(g()('POST', `/api/v1/groups/${f.groupId}/members`, { ...auth(caller), body: { userIds: [f.newcomer.id] } })),
      expected: row('401', '404', '404', '403', '200', '200'),
    },
    'DELETE /groups/:id/members/:userId (a member)': {
      fresh: true,
      call: (f, caller) => status(g()('DELETE', `/api/v1/groups/${f.groupId}/members/${f.other.id}`, auth(caller))),
      expected: row('401', '404', '404', '403', '204', '204'),
    },
    'DELETE /groups/:id/members/:userId (yourself: leave)': {
      fresh: true,
      call: (f, caller) => status(g()('DELETE', `/api/v1/groups/${f.groupId}/members/${(caller ?? f.outsider).id}`, auth(caller))),
      expected: row('401', '404', '404', '204', '204', '409'),
    },
    'PATCH /groups/:id/members/:userId (make a member admin)': {
      fresh: true,
      call: (f, caller) => status(g()('PATCH', `/api/v1/groups/${f.groupId}/members/${f.member.id}`, { ...auth(caller), body: { role: 'admin' } })),
      expected: row('401', '404', '404', '403', '403', '200'),
    },
    // ---------- conversations ----------
    'GET /conversations (is the group’s chat listed?)': {
      async call(f, caller) {
        const res = await m()('GET', '/api/v1/conversations?limit=200', auth(caller));
        if (res.status !== 200) return String(res.status);
        return res.body.items.some((x: any) => x.id === f.groupId) ? '200 listed' : '200 unlisted';
      },
      expected: row('401', '200 unlisted', '200 unlisted', '200 listed', '200 listed', '200 listed'),
    },
    'GET /conversations/:id': {
      call: (f, caller) => status(m()('GET', `/api/v1/conversations/${f.groupId}`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'GET /conversations/:id/messages': {
      call: (f, caller) => status(m()('GET', `/api/v1/conversations/${f.groupId}/messages`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'POST /conversations/:id/messages': {
      call: (f, caller) =>
        status(m()('POST', `/api/v1/conversations/${f.groupId}/messages`, { ...auth(caller), body: { body: 'hi', clientMessageId: `m-${Math.random()}` } })),
      expected: row('401', '404', '404', '201', '201', '201'),
    },
    'GET /conversations/:id/reads': {
      call: (f, caller) => status(m()('GET', `/api/v1/conversations/${f.groupId}/reads`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'POST /conversations/:id/read': {
      call: (f, caller) => status(m()('POST', `/api/v1/conversations/${f.groupId}/read`, { ...auth(caller), body: { seq: 1 } })),
      expected: row('401', '404', '404', '204', '204', '204'),
    },
    // ---------- messages ----------
    'PATCH /messages/:id (your own message)': {
      call: (f, caller, role) => status(m()('PATCH', `/api/v1/messages/${ownMessage(f, role).id}`, { ...auth(caller), body: { body: 'edited' } })),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'PATCH /messages/:id (the owner’s message)': {
      call: (f, caller) => status(m()('PATCH', `/api/v1/messages/${f.own.owner.id}`, { ...auth(caller), body: { body: 'edited by owner' } })),
      expected: row('401', '404', '404', '403', '403', '200'),
    },
    'DELETE /messages/:id (your own message)': {
      fresh: true,
      call: (f, caller, role) => status(m()('DELETE', `/api/v1/messages/${ownMessage(f, role).id}`, auth(caller))),
      expected: row('401', '404', '404', '204', '204', '204'),
    },
    'DELETE /messages/:id (another member’s message)': {
      fresh: true,
      call: (f, caller) => status(m()('DELETE', `/api/v1/messages/${f.own.other.id}`, auth(caller))),
      expected: row('401', '404', '404', '403', '204', '204'),
    },
    'PUT /messages/:id/reactions/:emoji': {
      call: (f, caller) => status(m()('PUT', `/api/v1/messages/${f.own.other.id}/reactions/${encodeURIComponent('👍')}`, auth(caller))),
      expected: row('401', '404', '404', '204', '204', '204'),
    },
    'DELETE /messages/:id/reactions/:emoji': {
      call: (f, caller) => status(m()('DELETE', `/api/v1/messages/${f.own.other.id}/reactions/${encodeURIComponent('👍')}`, auth(caller))),
      expected: row('401', '404', '404', '204', '204', '204'),
    },
    // ---------- search ----------
    'GET /search/messages?conversationId= (the group)': {
      async call(f, caller) {
        const res = await m()('GET', `/api/v1/search/messages?q=${f.word}&conversationId=${f.groupId}`, auth(caller));
        return res.status === 200 ? `200 ${res.body.items.length} hit(s)` : String(res.status);
      },
      expected: row('401', '404', '404', '200 1 hit(s)', '200 1 hit(s)', '200 1 hit(s)'),
    },
    'GET /search/messages (everywhere)': {
      async call(f, caller) {
        const res = await m()('GET', `/api/v1/search/messages?q=${f.word}`, auth(caller));
        return res.status === 200 ? `200 ${res.body.items.length} hit(s)` : String(res.status);
      },
      expected: row('401', '200 0 hit(s)', '200 0 hit(s)', '200 1 hit(s)', '200 1 hit(s)', '200 1 hit(s)'),
    },
    // ---------- files ----------
    'POST /files': {
      call: (_f, caller) => status(upload(caller)),
      expected: row('401', '201', '201', '201', '201', '201'),
    },
    'GET /files/:id (shared in the group)': {
      call: (f, caller) => status(m()('GET', `/api/v1/files/${f.fileId}`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
    'GET /files/:id/thumbnail (shared in the group)': {
      call: (f, caller) => status(m()('GET', `/api/v1/files/${f.fileId}/thumbnail`, auth(caller))),
      expected: row('401', '404', '404', '200', '200', '200'),
    },
  };

  it('answers every role on every groups, conversations, messages, search and files endpoint as the table says', async () => {
    const callerOf = (f: Fixture, role: Role): StackUser | undefined => (role === 'anonymous' ? undefined : f[role]);
    const actual: Record<string, Record<Role, string>> = {};
    const expected: Record<string, Record<Role, string>> = {};
    for (const [name, cell] of Object.entries(MATRIX)) {
      expected[name] = cell.expected;
      const answers = {} as Record<Role, string>;
      for (const role of ROLES) {
        const fixture = cell.fresh && role !== 'anonymous' ? await buildFixture() : shared;
        answers[role] = await cell.call(fixture, callerOf(fixture, role), role);
      }
      actual[name] = answers;
    }
    expect(actual).toEqual(expected);
  }, 600_000);
});
