import { adapterKinds, currentEntry, expectProblem, writeBack } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { directMembers, groupMemberships, membershipId } from '../src/domain/membership.ts';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };

/**
 * History reads check membership from cached answers (assertReader) and leave the rest to the
 * page statement, which checks that the conversation exists and is not deleted: a cached "yes"
 * must never open a deleted conversation, and strangers must never get a cached "yes".
 */
describe.each(adapterKinds())('history read access (%s)', (kind) => {
  let s: MessagesStack;
  beforeAll(async () => {
    s = await startMessagesStack(kind);
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  const history = (token: string, conversationId: string) => s.api('GET', `/api/v1/conversations/${conversationId}/messages`, { token });

  it('caches a direct member’s "yes" on the first read, and never a stranger’s', async () => {
    const [me, friend, stranger] = await Promise.all([s.register(), s.register(), s.register()]);
    const direct = await openDirect(s, me, friend);
    const message = await send(s, friend, direct, 'hello there');
    expect(await currentEntry(s.adapters.cache, directMembers, membershipId(direct, me.id))).toBeUndefined();
    const first = await history(me.token, direct);
    expect(first.status).toBe(200);
    expect(first.body.items.map((m: any) => m.id)).toEqual([message.id]);
    expect(await currentEntry(s.adapters.cache, directMembers, membershipId(direct, me.id))).toBe(true);
    // Served from the cached answer, the same page.
    expect((await history(me.token, direct)).body).toEqual(first.body);
    expectProblem(await history(stranger.token, direct), 404);
    expect(await currentEntry(s.adapters.cache, directMembers, membershipId(direct, stranger.id))).toBeUndefined();
    // Upper-case ids read the same conversation.
    expect((await history(me.token, direct.toUpperCase())).body.items.map((m: any) => m.id)).toEqual([message.id]);
  });

  it('a deleted group answers 404 even to a caller whose "yes" is still cached', async () => {
    const [owner, member] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, owner, [member]);
    await send(s, owner, groupId, 'soon gone');
    expect((await history(member.token, groupId)).status).toBe(200);
    expect((await s.groupsApi('DELETE', `/api/v1/groups/${groupId}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => {
      const { rows } = await s.messagesDb.query<{ deleted_at: Date | null }>('SELECT deleted_at FROM conversations WHERE id = $1', [groupId]);
      expect(rows[0]?.deleted_at).toBeTruthy();
    }, WAIT);
    // A stale "yes" put back by a read racing the deletion.
    await writeBack(s.adapters.cache, groupMemberships, membershipId(groupId, member.id), { role: 'member' });
    expectProblem(await history(member.token, groupId), 404);
  });

  it('a page carries each message’s reactions with `me` for the reader', async () => {
    const [me, friend] = await Promise.all([s.register(), s.register()]);
    const direct = await openDirect(s, me, friend);
    const first = await send(s, me, direct, 'react to this');
    const second = await send(s, friend, direct, 'and this');
    for (const [user, messageId, emoji] of [
      [friend, first.id, '👍'],
      [me, first.id, '👍'],
      [me, second.id, '🎉'],
    ] as const) {
      expect((await s.api('PUT', `/api/v1/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`, { token: user.token })).status).toBe(204);
    }
    const page = await history(friend.token, direct);
    expect(page.body.items.map((m: any) => [m.id, m.reactions])).toEqual([
      [second.id, [{ emoji: '🎉', count: 1, me: false }]],
      [first.id, [{ emoji: '👍', count: 2, me: true }]],
    ]);
  });
});
