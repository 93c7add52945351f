import { adapterKinds, expectProblem, uniqueName } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const STARTUP_TIMEOUT_MS = 180_000;

/**
 * A send checks membership from the cache alone when it can (assertSender) and leaves it to
 * send_message() to find the conversation there and not deleted. These are the cases where the
 * cache says "member" and the database disagrees: the send must then ask the long way.
 */
describe.each(adapterKinds())('sending with a cached membership (%s)', (kind) => {
  let s: MessagesStack;
  let alice: StackUser;
  let bob: StackUser;
  beforeAll(async () => {
    s = await startMessagesStack(kind);
    [alice, bob] = await Promise.all([s.register(), s.register()]);
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await s?.stop();
  });

  const post = (user: StackUser, conversationId: string, extra: Record<string, unknown> = {}) =>
    s.api('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { body: 'still there?', clientMessageId: uniqueName('c'), ...extra },
    });
  const countIn = async (conversationId: string): Promise<number> =>
    (await s.messagesDb.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [conversationId])).rows[0]!.n;

  it('answers 404 and writes nothing when the group conversation was deleted before its event cleared the cache', async () => {
    const groupId = await createGroup(s, alice, [bob], 'Soon gone');
    await send(s, alice, groupId); // the membership answer is cached now
    // What the group.deleted consumer does first, without its cache invalidation yet.
    await s.messagesDb.query('UPDATE conversations SET deleted_at = now() WHERE id = $1', [groupId]);
    expectProblem(await post(alice, groupId), 404);
    expect(await countIn(groupId)).toBe(1);
  });

  it('answers 404 before 400 for a bad reply into a deleted conversation', async () => {
    const groupId = await createGroup(s, alice, [bob], 'Gone with a reply');
    await send(s, alice, groupId);
    await s.messagesDb.query('UPDATE conversations SET deleted_at = now() WHERE id = $1', [groupId]);
    expectProblem(await post(alice, groupId, { replyToId: '00000000-0000-7000-8000-000000000000' }), 404);
  });

  it('still answers 400 for a bad reply from a cached member of a live conversation', async () => {
    const directId = await openDirect(s, alice, bob);
    await send(s, bob, directId);
    expectProblem(await post(bob, directId, { replyToId: '00000000-0000-7000-8000-000000000000' }), 400);
    expect(await countIn(directId)).toBe(1);
  });

  it('keeps seqs gapless across cached-membership sends', async () => {
    const groupId = await createGroup(s, alice, [bob], 'Busy');
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => send(s, i % 2 ? alice : bob, groupId)));
    expect(sent.map((m) => m.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
