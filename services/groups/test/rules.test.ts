import { newId } from '@parley/kit';
import { adapterKinds, apiFor, expectProblem, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGroupsStack, type GroupsStack, type StackUser } from './stack.ts';

// Two services start per file (two databases); on a busy machine that alone can take a minute.
vi.setConfig({ hookTimeout: 180_000, testTimeout: 120_000 });

/** Low, so the limit is reached with a handful of users. */
const LIMIT = 4;

describe.each(adapterKinds())('groups ownership, role and member-limit rules (%s)', (kind) => {
  let stack: GroupsStack;
  let api: Api;
  let u: StackUser[];
  let owner: StackUser;
  let ann: StackUser;
  let ben: StackUser;
  let cat: StackUser;
  let dan: StackUser;

  beforeAll(async () => {
    stack = await startGroupsStack(kind, { groupsEnv: { GROUP_MEMBER_LIMIT: String(LIMIT) } });
    api = apiFor(stack.groupsUrl);
    u = await Promise.all(Array.from({ length: 6 }, () => stack.register()));
    [owner, ann, ben, cat, dan] = u as [StackUser, StackUser, StackUser, StackUser, StackUser];
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const createGroup = async (memberIds: string[]): Promise<string> => {
    const res = await api('POST', '/api/v1/groups', { token: owner.token, body: { name: 'Rules', memberIds } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };
  const rolesOf = async (groupId: string, reader: StackUser): Promise<Record<string, string>> => {
    const res = await api('GET', `/api/v1/groups/${groupId}/members`, { token: reader.token });
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.items.map((m: any) => [m.userId, m.role]));
  };

  describe('ownership', () => {
    it('when the owner tries to leave, it answers 409 saying how to hand ownership over, and nothing changes', async () => {
      const id = await createGroup([ann.id]);
      const res = await api('DELETE', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token });
      expectProblem(res, 409);
      expect(res.body.detail).toMatch(/owner cannot leave/i);
      expect(res.body.detail).toContain('{"role":"owner"}');
      expect(res.body.detail).toMatch(/delete the group/);
      expect(await rolesOf(id, owner)).toEqual({ [owner.id]: 'owner', [ann.id]: 'member' });
    });

    it('after handing ownership over, the new owner is the only owner, the old one an admin who may leave', async () => {
      const id = await createGroup([ann.id, ben.id]);
      const handed = await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'owner' } });
      expect(handed.status).toBe(200);
      expect(handed.body).toMatchObject({ userId: ann.id, role: 'owner' });
      expect(await rolesOf(id, ben)).toEqual({ [owner.id]: 'admin', [ann.id]: 'owner', [ben.id]: 'member' });
      const group = await api('GET', `/api/v1/groups/${id}`, { token: owner.token });
      expect(group.body).toMatchObject({ ownerId: ann.id, myRole: 'admin' });
      // The old owner has no owner rights left...
      expectProblem(await api('DELETE', `/api/v1/groups/${id}`, { token: owner.token }), 403);
      expectProblem(await api('PATCH', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token, body: { role: 'admin' } }), 403);
      // ...and may leave; the new owner may not.
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token })).status).toBe(204);
      expectProblem(await api('DELETE', `/api/v1/groups/${id}/members/${ann.id}`, { token: ann.token }), 409);
      expect(await rolesOf(id, ann)).toEqual({ [ann.id]: 'owner', [ben.id]: 'member' });
    });

    it('the owner may delete the group instead of handing it over', async () => {
      const id = await createGroup([ann.id]);
      expect((await api('DELETE', `/api/v1/groups/${id}`, { token: owner.token })).status).toBe(204);
      expectProblem(await api('GET', `/api/v1/groups/${id}`, { token: ann.token }), 404);
    });

    it('when the owner gives themself another role, it answers 409; giving themself "owner" changes nothing', async () => {
      const id = await createGroup([ann.id]);
      const demoted = await api('PATCH', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token, body: { role: 'admin' } });
      expectProblem(demoted, 409);
      expect(demoted.body.detail).toContain('{"role":"owner"}');
      expectProblem(await api('PATCH', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token, body: { role: 'member' } }), 409);
      const same = await api('PATCH', `/api/v1/groups/${id}/members/${owner.id}`, { token: owner.token, body: { role: 'owner' } });
      expect(same.status).toBe(200);
      expect(same.body.role).toBe('owner');
      expect(await rolesOf(id, owner)).toEqual({ [owner.id]: 'owner', [ann.id]: 'member' });
    });

    it('ownership goes only to a member: a user outside the group or a removed member answers 404', async () => {
      const id = await createGroup([ann.id, ben.id]);
      await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token });
      expectProblem(await api('PATCH', `/api/v1/groups/${id}/members/${cat.id}`, { token: owner.token, body: { role: 'owner' } }), 404);
      expectProblem(await api('PATCH', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token, body: { role: 'owner' } }), 404);
      expectProblem(await api('PATCH', `/api/v1/groups/${id}/members/${newId()}`, { token: owner.token, body: { role: 'owner' } }), 404);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: owner.token })).body.ownerId).toBe(owner.id);
    });

    it('an admin may be handed ownership, and the old owner then removes nobody above a member', async () => {
      const id = await createGroup([ann.id, ben.id]);
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } });
      expect((await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'owner' } })).status).toBe(200);
      // owner is now an admin: removing the new owner is forbidden, removing a member allowed.
      expectProblem(await api('DELETE', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token }), 403);
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token })).status).toBe(204);
    });
  });

  describe('roles', () => {
    it('an admin removes members but not another admin; the owner removes an admin', async () => {
      const id = await createGroup([ann.id, ben.id, cat.id]);
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } });
      await api('PATCH', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token, body: { role: 'admin' } });
      expectProblem(await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: ann.token }), 403);
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${cat.id}`, { token: ann.token })).status).toBe(204);
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token })).status).toBe(204);
      expect(await rolesOf(id, ann)).toEqual({ [owner.id]: 'owner', [ann.id]: 'admin' });
    });

    it('a removed member loses access at once (404) and has it back when added again, as a plain member', async () => {
      const id = await createGroup([ann.id]);
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } });
      await api('DELETE', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token });
      expectProblem(await api('GET', `/api/v1/groups/${id}`, { token: ann.token }), 404);
      expectProblem(await api('GET', `/api/v1/groups/${id}/members`, { token: ann.token }), 404);
      expectProblem(await api('DELETE', `/api/v1/groups/${id}/members/${ann.id}`, { token: ann.token }), 404);
      await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ann.id] } });
      const back = await api('GET', `/api/v1/groups/${id}`, { token: ann.token });
      expect(back.status).toBe(200);
      expect(back.body.myRole).toBe('member');
    });
  });

  describe(`member limit (GROUP_MEMBER_LIMIT=${LIMIT})`, () => {
    it('a group may be created with exactly the limit, owner included, but not one more', async () => {
      const full = await api('POST', '/api/v1/groups', { token: owner.token, body: { name: 'Full', memberIds: [ann.id, ben.id, cat.id] } });
      expect(full.status).toBe(201);
      expect(full.body.memberCount).toBe(LIMIT);
      const before = await api('GET', '/api/v1/groups?limit=200', { token: dan.token });
      const over = await api('POST', '/api/v1/groups', { token: owner.token, body: { name: 'Over', memberIds: [ann.id, ben.id, cat.id, dan.id] } });
      expectProblem(over, 409);
      expect(over.body.detail).toContain(String(LIMIT));
      const after = await api('GET', '/api/v1/groups?limit=200', { token: dan.token });
      expect(after.body.items).toEqual(before.body.items);
    });

    it('adding past the limit answers 409 and adds nobody; already-members do not count; after a leave there is room again', async () => {
      const id = await createGroup([ann.id, ben.id]);
      expectProblem(await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [cat.id, dan.id] } }), 409);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: owner.token })).body.memberCount).toBe(3);
      expect(Object.keys(await rolesOf(id, owner))).toHaveLength(3);
      const filled = await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ann.id, cat.id] } });
      expect(filled.status).toBe(200);
      expect(filled.body.items.map((m: any) => m.userId)).toEqual([cat.id]);
      // Full: re-adding members changes nothing and is no conflict; a newcomer is.
      const again = await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ann.id, ben.id] } });
      expect(again.status).toBe(200);
      expect(again.body.items).toEqual([]);
      expectProblem(await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [dan.id] } }), 409);
      expect((await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: ben.token })).status).toBe(204);
      expect((await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [dan.id] } })).status).toBe(200);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: dan.token })).body.memberCount).toBe(LIMIT);
    });

    it('concurrent additions never take a group past the limit', async () => {
      const id = await createGroup([]);
      const results = await Promise.all(
        [ann, ben, cat, dan].map((user) => api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [user.id] } })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 409]);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: owner.token })).body.memberCount).toBe(LIMIT);
      expect(Object.keys(await rolesOf(id, owner))).toHaveLength(LIMIT);
    });
  });
});
