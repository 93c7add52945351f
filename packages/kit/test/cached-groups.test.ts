import { status as GrpcStatus } from '@grpc/grpc-js';
import type { groupsV1 } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { createMemoryCache } from '../src/cache/memory-cache.ts';
import { createCachedGroups, membershipId } from '../src/clients/cached-groups.ts';

type Member = { userId: string; role: string };

/** A groups service in memory, answering the three reads the cached client makes, counting calls. */
function fakeGroups(initial: Record<string, Member[]>) {
  const groups = new Map(Object.entries(initial));
  const calls: string[] = [];
  let beforeListMembers: (() => Promise<void>) | undefined;
  type Request = { groupId: string; userId: string };
  const answer =
    <T>(method: string, result: (request: Request) => T | undefined) =>
    (request: Request, _metadata: unknown, _options: unknown, callback: (error: unknown, response?: T) => void) => {
      calls.push(method);
      void (async () => {
        if (method === 'listMembers') await beforeListMembers?.();
        const value = result(request);
        if (value === undefined) callback(Object.assign(new Error('not found'), { code: GrpcStatus.NOT_FOUND, details: 'group not found' }));
        else callback(null, value);
      })();
      return {};
    };
  const client = {
    getMembership: answer('getMembership', ({ groupId, userId }) => {
      const member = groups.get(groupId)?.find((m) => m.userId === userId);
      return { isMember: Boolean(member), role: member?.role ?? '' };
    }),
    listMembers: answer('listMembers', ({ groupId }) => (groups.has(groupId) ? { members: groups.get(groupId) } : undefined)),
    listUserGroups: answer('listUserGroups', ({ userId }) => ({
      groupIds: [...groups].filter(([, members]) => members.some((m) => m.userId === userId)).map(([id]) => id),
    })),
  } as unknown as groupsV1.GroupsClient;
  return { client, groups, calls, onListMembers: (hook: () => Promise<void>) => (beforeListMembers = hook) };
}

describe('the cached groups client', () => {
  const setUp = (initial: Record<string, Member[]>) => {
    const cache = createMemoryCache();
    const fake = fakeGroups(initial);
    const groups = createCachedGroups({ cache, groups: fake.client, service: 'test', call: { deadlineMs: 1000 } });
    return { cache, fake, groups };
  };

  it('caches a "yes" with its role, never a "no"', async () => {
    const { fake, groups } = setUp({ g1: [{ userId: 'ann', role: 'admin' }] });
    expect(await groups.role('g1', 'ann')).toBe('admin');
    expect(await groups.role('g1', 'ann')).toBe('admin');
    expect(await groups.role('g1', 'bob')).toBeNull();
    expect(await groups.role('g1', 'bob')).toBeNull();
    expect(fake.calls).toEqual(['getMembership', 'getMembership', 'getMembership']);
  });

  it('answers undefined for an unknown group and caches nothing for it', async () => {
    const { fake, groups } = setUp({});
    expect(await groups.members('nope')).toBeUndefined();
    expect(await groups.members('nope')).toBeUndefined();
    expect(fake.calls).toEqual(['listMembers', 'listMembers']);
  });

  it('a removal during a warm-up wins: the removed member is not cached as a member', async () => {
    const { cache, fake, groups } = setUp({
      g1: [
        { userId: 'ann', role: 'owner' },
        { userId: 'bob', role: 'member' },
      ],
    });
    // groups answers the list as it was, and bob's removal is invalidated before the warm-up writes.
    fake.onListMembers(async () => groups.forget('g1', { memberships: ['bob'] }));
    await groups.warm('g1', ['ann', 'bob']);
    const [ann, bob] = await groups.memberships.read(cache, [membershipId('g1', 'ann'), membershipId('g1', 'bob')]);
    expect(ann!.value).toEqual({ role: 'owner' });
    expect(bob!.value).toBeUndefined();
    expect((await groups.memberLists.read(cache, ['g1']))[0]!.value).toBeUndefined();
  });

  it('forget drops the member list, the named answers and group lists; the next reads ask again', async () => {
    const { fake, groups } = setUp({ g1: [{ userId: 'ann', role: 'owner' }] });
    await groups.members('g1');
    await groups.role('g1', 'ann');
    await groups.userGroupIds('ann');
    fake.groups.get('g1')!.push({ userId: 'bob', role: 'member' });
    await groups.forget('g1', { memberships: ['ann'], userGroups: ['ann'] });
    fake.calls.length = 0;
    expect((await groups.members('g1'))?.map((m) => m.userId)).toEqual(['ann', 'bob']);
    await groups.role('g1', 'ann');
    await groups.userGroupIds('ann');
    expect(fake.calls).toEqual(['listMembers', 'getMembership', 'listUserGroups']);
  });
});
