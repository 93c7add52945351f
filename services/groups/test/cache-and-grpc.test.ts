import { makeEvent, newId, unary, type Cached } from '@parley/kit';
import { adapterKinds, apiFor, currentEntry, writeBack, type Api } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGroupsStack, type GroupsStack, type StackUser } from './stack.ts';
import { cachedGroups, cachedMembers, cachedUserGroups, getGroups } from '../src/domain/group-cache.ts';

// Two services start per file (two databases); on a busy machine that alone can take a minute.
vi.setConfig({ hookTimeout: 180_000, testTimeout: 120_000 });

describe.each(adapterKinds())('groups cache and gRPC (%s)', (kind) => {
  let stack: GroupsStack;
  let api: Api;
  let owner: StackUser;
  let ann: StackUser;
  let ben: StackUser;
  let cat: StackUser;

  beforeAll(async () => {
    stack = await startGroupsStack(kind);
    api = apiFor(stack.groupsUrl);
    [owner, ann, ben, cat] = await Promise.all([stack.register(), stack.register(), stack.register(), stack.register()]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const createGroup = async (memberIds: string[], name = 'Cached'): Promise<string> => {
    const res = await api('POST', '/api/v1/groups', { token: owner.token, body: { name, memberIds } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };
  const myGroupIds = async (user: StackUser): Promise<string[]> =>
    (await api('GET', '/api/v1/groups?limit=200', { token: user.token })).body.items.map((g: any) => g.id);
  const members = async (groupId: string, reader: StackUser): Promise<Record<string, string>> => {
    const res = await api('GET', `/api/v1/groups/${groupId}/members`, { token: reader.token });
    return Object.fromEntries(res.body.items.map((m: any) => [m.userId, m.role]));
  };
  const grpc = {
    getMembership: (groupId: string, userId: string) => unary(stack.groupsClient, 'getMembership', { groupId, userId }),
    listMembers: (groupId: string) => unary(stack.groupsClient, 'listMembers', { groupId }),
    listUserGroups: (userId: string) => unary(stack.groupsClient, 'listUserGroups', { userId }),
  };

  describe('cache-aside under the design’s keys', () => {
    const current = <V>(thing: Cached<V>, id: string) => currentEntry(stack.adapters.cache, thing, id);
    const writeStale = <V>(thing: Cached<V>, id: string, value: V) => writeBack(stack.adapters.cache, thing, id, value);

    it('reads fill groups:group:<id>, groups:members:<id> and groups:user:<id>', async () => {
      const id = await createGroup([ann.id]);
      // Creation invalidates; nothing is cached until someone reads.
      expect(await current(cachedGroups, id)).toBeUndefined();
      expect(await current(cachedMembers, id)).toBeUndefined();
      // The creation's events invalidate these keys again when their consumer runs, which may be
      // after a first read (seen in CI under load): read until the fill outlives that.
      await vi.waitFor(
        async () => {
          await api('GET', `/api/v1/groups/${id}`, { token: ann.token });
          await myGroupIds(ann);
          expect(await current(cachedGroups, id)).toMatchObject({ id, name: 'Cached' });
          expect(await current(cachedMembers, id)).toEqual(expect.arrayContaining([expect.objectContaining({ userId: ann.id, role: 'member' })]));
          expect(await current(cachedUserGroups, ann.id)).toContain(id);
        },
        { timeout: 15_000, interval: 100 },
      );
    });

    it('an unknown group leaves nothing in the cache', async () => {
      const unknown = newId();
      expect((await api('GET', `/api/v1/groups/${unknown}`, { token: ann.token })).status).toBe(404);
      expect((await grpc.getMembership(unknown, ann.id)).isMember).toBe(false);
      expect(await current(cachedMembers, unknown)).toBeUndefined();
    });

    it('the group.* consumer drops a stale entry put back after a commit (a racing reader)', async () => {
      const id = await createGroup([ann.id], 'Fresh');
      const { cache } = stack.adapters;
      const [group] = await getGroups({ db: stack.groupsDb, cache }, [id]);
      await writeStale(cachedGroups, id, { ...group!, name: 'Stale' });
      await writeStale(cachedMembers, id, []);
      await writeStale(cachedUserGroups, ben.id, ['stale']);
      expect(await current(cachedUserGroups, ben.id)).toEqual(['stale']);
      // An event as the relay publishes it: the consumer of queue groups.cache drops the keys it names.
      await stack.adapters.bus.publish([makeEvent('group.member_removed', { groupId: id, userId: ben.id, removedBy: ben.id }, 'groups')]);
      await vi.waitFor(
        async () => {
          expect(await current(cachedGroups, id)).toBeUndefined();
          expect(await current(cachedMembers, id)).toBeUndefined();
          expect(await current(cachedUserGroups, ben.id)).toBeUndefined();
        },
        { timeout: 30_000 },
      );
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body.name).toBe('Fresh');
    });
  });

  describe('every change is visible on the very next read (cache warmed before the change)', () => {
    it('GET group: after a rename, members see the new name and description', async () => {
      const id = await createGroup([ann.id]);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body.name).toBe('Cached');
      await api('PATCH', `/api/v1/groups/${id}`, { token: owner.token, body: { name: 'Renamed', description: 'Now' } });
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body).toMatchObject({ name: 'Renamed', description: 'Now' });
    });

    it('GET group: member count and myRole follow additions, removals and role changes', async () => {
      const id = await createGroup([ann.id]);
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body).toMatchObject({ memberCount: 2, myRole: 'member' });
      await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ben.id] } });
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body.memberCount).toBe(3);
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } });
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body.myRole).toBe('admin');
      await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: ann.token });
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body.memberCount).toBe(2);
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'owner' } });
      expect((await api('GET', `/api/v1/groups/${id}`, { token: ann.token })).body).toMatchObject({ ownerId: ann.id, myRole: 'owner' });
    });

    it('members: an addition, a role change and a removal show at once', async () => {
      const id = await createGroup([ann.id]);
      expect(await members(id, ann)).toEqual({ [owner.id]: 'owner', [ann.id]: 'member' });
      await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [ben.id] } });
      expect(await members(id, ann)).toEqual({ [owner.id]: 'owner', [ann.id]: 'member', [ben.id]: 'member' });
      await api('PATCH', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token, body: { role: 'admin' } });
      expect((await members(id, ann))[ben.id]).toBe('admin');
      await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token });
      expect(await members(id, ann)).toEqual({ [owner.id]: 'owner', [ann.id]: 'member' });
      expect((await api('GET', `/api/v1/groups/${id}/members`, { token: ben.token })).status).toBe(404);
    });

    it('my groups: joining, a rename, leaving and a deletion show at once', async () => {
      const id = await createGroup([]);
      expect(await myGroupIds(cat)).not.toContain(id);
      await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [cat.id] } });
      expect(await myGroupIds(cat)).toContain(id);
      await api('PATCH', `/api/v1/groups/${id}`, { token: owner.token, body: { name: 'New name' } });
      const listed = (await api('GET', '/api/v1/groups?limit=200', { token: cat.token })).body.items.find((g: any) => g.id === id);
      expect(listed).toMatchObject({ name: 'New name', memberCount: 2 });
      await api('DELETE', `/api/v1/groups/${id}/members/${cat.id}`, { token: cat.token });
      expect(await myGroupIds(cat)).not.toContain(id);
      await api('POST', `/api/v1/groups/${id}/members`, { token: owner.token, body: { userIds: [cat.id] } });
      expect(await myGroupIds(cat)).toContain(id);
      await api('DELETE', `/api/v1/groups/${id}`, { token: owner.token });
      expect(await myGroupIds(cat)).not.toContain(id);
      expect(await myGroupIds(owner)).not.toContain(id);
    });

    it('my groups: a new group shows at once for its creator and its members', async () => {
      expect(await myGroupIds(ann)).toBeDefined();
      const id = await createGroup([ann.id]);
      expect(await myGroupIds(owner)).toContain(id);
      expect(await myGroupIds(ann)).toContain(id);
    });

    it('gRPC GetMembership, ListMembers and ListUserGroups: a removal shows at once', async () => {
      const id = await createGroup([ann.id, ben.id]);
      expect(await grpc.getMembership(id, ben.id)).toEqual({ isMember: true, role: 'member' });
      expect((await grpc.listMembers(id)).members.map((m) => m.userId)).toContain(ben.id);
      expect((await grpc.listUserGroups(ben.id)).groupIds).toContain(id);
      await api('DELETE', `/api/v1/groups/${id}/members/${ben.id}`, { token: owner.token });
      expect(await grpc.getMembership(id, ben.id)).toEqual({ isMember: false });
      expect((await grpc.listMembers(id)).members.map((m) => m.userId)).not.toContain(ben.id);
      expect((await grpc.listUserGroups(ben.id)).groupIds).not.toContain(id);
    });

    it('gRPC: a role change, a leave and a deletion show at once', async () => {
      const id = await createGroup([ann.id, ben.id]);
      expect(await grpc.getMembership(id, ann.id)).toEqual({ isMember: true, role: 'member' });
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } });
      expect(await grpc.getMembership(id, ann.id)).toEqual({ isMember: true, role: 'admin' });
      await api('DELETE', `/api/v1/groups/${id}/members/${ann.id}`, { token: ann.token });
      expect(await grpc.getMembership(id, ann.id)).toEqual({ isMember: false });
      expect((await grpc.listUserGroups(ann.id)).groupIds).not.toContain(id);
      await api('DELETE', `/api/v1/groups/${id}`, { token: owner.token });
      expect(await grpc.getMembership(id, ben.id)).toEqual({ isMember: false });
      await expect(grpc.listMembers(id)).rejects.toMatchObject({ httpStatus: 404 });
      expect((await grpc.listUserGroups(ben.id)).groupIds).not.toContain(id);
    });
  });

  describe('groups.v1.Groups', () => {
    it('GetMembership answers the role of each member and false (no role) for others', async () => {
      const id = await createGroup([ann.id, ben.id]);
      await api('PATCH', `/api/v1/groups/${id}/members/${ann.id}`, { token: owner.token, body: { role: 'admin' } });
      expect(await grpc.getMembership(id, owner.id)).toEqual({ isMember: true, role: 'owner' });
      expect(await grpc.getMembership(id, ann.id)).toEqual({ isMember: true, role: 'admin' });
      expect(await grpc.getMembership(id, ben.id)).toEqual({ isMember: true, role: 'member' });
      expect(await grpc.getMembership(id, cat.id)).toEqual({ isMember: false });
      expect(await grpc.getMembership(id.toUpperCase(), ben.id.toUpperCase())).toEqual({ isMember: true, role: 'member' });
    });

    it('GetMembership answers false for an unknown group and for malformed ids, never an error', async () => {
      const id = await createGroup([ann.id]);
      expect(await grpc.getMembership(newId(), ann.id)).toEqual({ isMember: false });
      expect(await grpc.getMembership('nope', ann.id)).toEqual({ isMember: false });
      expect(await grpc.getMembership(id, 'nope')).toEqual({ isMember: false });
      expect(await grpc.getMembership('', '')).toEqual({ isMember: false });
    });

    it('ListMembers answers every member with role and joinedAt, as the REST list does', async () => {
      const id = await createGroup([ann.id, ben.id]);
      const rest = await api('GET', `/api/v1/groups/${id}/members`, { token: owner.token });
      const { members: list } = await grpc.listMembers(id);
      expect(list).toEqual(rest.body.items);
      expect(list).toHaveLength(3);
      for (const m of list) expect(Number.isNaN(Date.parse(m.joinedAt))).toBe(false);
    });

    it('ListMembers answers NOT_FOUND (404 to the caller) for an unknown group or a malformed id', async () => {
      await expect(grpc.listMembers(newId())).rejects.toMatchObject({ httpStatus: 404, code: 'not_found' });
      await expect(grpc.listMembers('not-an-id')).rejects.toMatchObject({ httpStatus: 404 });
    });

    it('ListUserGroups answers the ids of every group of the user, newest first; empty for an unknown or malformed user', async () => {
      const dora = await stack.register();
      const first = await createGroup([dora.id]);
      const second = await createGroup([dora.id]);
      const res = await api('POST', '/api/v1/groups', { token: dora.token, body: { name: 'Mine' } });
      expect((await grpc.listUserGroups(dora.id)).groupIds).toEqual([res.body.id, second, first]);
      expect((await grpc.listUserGroups(newId())).groupIds).toEqual([]);
      expect((await grpc.listUserGroups('x')).groupIds).toEqual([]);
    });
  });
});
