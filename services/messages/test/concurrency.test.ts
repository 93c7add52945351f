import { adapterKinds } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const WAIT = { timeout: 30_000, interval: 100 };

describe.each(adapterKinds())('concurrency (%s)', (kind) => {
  let s: MessagesStack;
  beforeAll(async () => {
    s = await startMessagesStack(kind);
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  /** Every message of a conversation, oldest first, through the API. */
  const history = async (user: StackUser, conversationId: string): Promise<any[]> => {
    const all: any[] = [];
    let after = 0;
    for (;;) {
      const res = await s.api('GET', `/api/v1/conversations/${conversationId}/messages?after=${after}&limit=200`, { token: user.token });
      expect(res.status).toBe(200);
      all.push(...res.body.items);
      if (!res.body.nextCursor) return all;
      after = Number(res.body.nextCursor);
    }
  };

  it('20 parallel senders × 50 messages into one conversation get seqs exactly 1..1000, no gap, no duplicate', async () => {
    const SENDERS = 20;
    const EACH = 50;
    const users = await Promise.all(Array.from({ length: SENDERS }, () => s.register()));
    const [owner, ...rest] = users;
    const groupId = await createGroup(s, owner!, rest, 'Busy');

    const results = await Promise.all(
      users.map(async (user, u) => {
        const seqs: number[] = [];
        for (let i = 0; i < EACH; i++) {
          const res = await s.api('POST', `/api/v1/conversations/${groupId}/messages`, {
            token: user.token,
            body: { body: `sender ${u} message ${i}`, clientMessageId: `${u}-${i}` },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          seqs.push(res.body.seq);
        }
        return seqs;
      }),
    );
    // Each sender's own messages came back in the order it sent them.
    for (const seqs of results) expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const answered = results.flat().sort((x, y) => x - y);
    expect(answered).toEqual(Array.from({ length: SENDERS * EACH }, (_, i) => i + 1));

    const stored = await history(owner!, groupId);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: SENDERS * EACH }, (_, i) => i + 1));
    expect(new Set(stored.map((m) => m.id)).size).toBe(SENDERS * EACH);
    for (const [u, user] of users.entries()) {
      expect(
        stored
          .filter((m) => m.senderId === user.id)
          .map((m) => m.clientMessageId)
          .sort(),
      ).toEqual(Array.from({ length: EACH }, (_, i) => `${u}-${i}`).sort());
    }
    const conversation = await s.api('GET', `/api/v1/conversations/${groupId}`, { token: owner!.token });
    expect(conversation.body.lastSeq).toBe(SENDERS * EACH);
    // And one message.created per message went out on the bus.
    await vi.waitFor(() => expect(s.recorder.of('message.created', (d) => d.message.conversationId === groupId)).toHaveLength(SENDERS * EACH), WAIT);
  }, 300_000);

  it('5 concurrent resends of one clientMessageId make one message: one 201, four 200, the same id', async () => {
    const [a, b] = await Promise.all([s.register(), s.register()]);
    const groupId = await createGroup(s, a, [b]);
    await s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: b.token, body: { body: 'before', clientMessageId: 'before' } });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: a.token, body: { body: 'only once', clientMessageId: 'same' } }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
    expect(answers[0]!.body.seq).toBe(2);
    const after = await s.api('POST', `/api/v1/conversations/${groupId}/messages`, { token: b.token, body: { body: 'after', clientMessageId: 'after' } });
    // The resends used up no seq.
    expect(after.body.seq).toBe(3);
    const stored = await history(a, groupId);
    expect(stored.filter((m) => m.clientMessageId === 'same')).toHaveLength(1);
  });

  it('10 concurrent creates of one direct conversation, from both sides, make one: one 201, the same id', async () => {
    const [a, b] = await Promise.all([s.register(), s.register()]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.api('POST', '/api/v1/conversations/direct', { token: (i % 2 ? a : b).token, body: { userId: (i % 2 ? b : a).id } })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    await vi.waitFor(() => expect(s.recorder.of('conversation.created', (d) => d.conversation.id === id)).toHaveLength(1), WAIT);
    const { rows } = await s.messagesDb.query<{ count: number }>(`SELECT count(*) AS count FROM conversations WHERE type = 'direct' AND direct_key LIKE $1`, [
      `%${a.id}%`,
    ]);
    expect(Number(rows[0]!.count)).toBe(1);
  });
});
