import { migrate, newId, type Db } from '@parley/kit';
import { adapterKinds, openTestDb } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Membership } from '../src/db/access.ts';
import type { ConversationRow } from '../src/db/conversation.repository.ts';
import type { SendInput } from '../src/db/message.repository.ts';
import { messagesMigrations } from '../src/db/migrations.ts';
import { createSendBatcher } from '../src/domain/send-batcher.ts';

/** Group commit straight against the database: what the HTTP tests cannot aim at. */
describe.each(adapterKinds())('send batcher (%s)', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await migrate(db, messagesMigrations);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  const group = async (): Promise<string> => {
    const id = newId();
    await db.query(`INSERT INTO conversations (id, type) VALUES ($1, 'group')`, [id]);
    return id;
  };
  const accessOf = (conversationId: string, userId: string) =>
    ({ conversation: { id: conversationId, type: 'group' } as ConversationRow, role: 'member', userId }) as unknown as Membership;
  const input = (clientMessageId: string): SendInput => {
    const id = newId();
    return {
      id,
      body: `body ${clientMessageId}`,
      clientMessageId,
      replyToId: null,
      mentions: [],
      createdAt: new Date(),
      recipients: [],
      event: { id: newId(), occurredAt: new Date().toISOString(), data: { message: { id, seq: 0 }, mentions: [], recipients: [] } },
    };
  };
  const seqsOf = async (conversationId: string): Promise<number[]> =>
    (await db.query<{ seq: number }>('SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq', [conversationId])).rows.map((r) => Number(r.seq));

  it('sends many at once over two conversations: gapless seqs, one outbox row each with its seq, resends in one batch answered once', async () => {
    const [a, b] = [await group(), await group()];
    const sender = newId();
    const send = createSendBatcher(db);
    const outcomes = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => send(accessOf(i % 2 ? a : b, sender), input(`m${i}`))),
      ...Array.from({ length: 3 }, () => send(accessOf(a, sender), input('same'))),
    ]);
    expect(outcomes.filter((o) => o.outcome === 'created')).toHaveLength(31);
    expect(outcomes.filter((o) => o.outcome === 'resent')).toHaveLength(2);
    expect(await seqsOf(a)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await seqsOf(b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    // Each message's event carries the seq it got.
    const { rows } = await db.query<{ seq: number; event_seq: number }>(
      `SELECT m.seq, (o.data->'message'->>'seq')::int AS event_seq FROM messages m
         JOIN outbox o ON o.type = 'message.created' AND o.data->'message'->>'id' = m.id::text
        WHERE m.conversation_id = ANY($1::uuid[])`,
      [[a, b]],
    );
    expect(rows).toHaveLength(31);
    for (const row of rows) expect(Number(row.event_seq)).toBe(Number(row.seq));
  });

  const busy = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };

  it("answers one conversation's sends in seq order, however many calls run (the live frames go out in that order)", async () => {
    const [a, b] = [await group(), await group()];
    const sender = newId();
    const send = createSendBatcher(db);
    const answered: number[] = [];
    // Waves that arrive while calls run: without the per-conversation hold, two calls of one
    // conversation race and their answers can come back the other way round.
    const sends: Promise<unknown>[] = [];
    for (let wave = 0; wave < 20; wave++) {
      for (let i = 0; i < 5; i++) {
        sends.push(
          send(accessOf(a, sender), input(`o${wave}-${i}`)).then((o) => {
            if (o.outcome === 'created') answered.push(o.row.seq);
            busy(3); // a loaded process: the next answers pile up meanwhile and come in one turn
          }),
        );
        sends.push(send(accessOf(b, sender), input(`p${wave}-${i}`)));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sends);
    expect(answered).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('when one send of a batch fails, the others still go through (one by one) and only it fails', async () => {
    const a = await group();
    const sender = newId();
    const send = createSendBatcher(db);
    // A replyToId the database cannot read as a uuid: an error in the batch and on its own.
    const failing = (i: number): SendInput => (i === 7 ? { ...input(`x${i}`), replyToId: 'not-a-uuid' } : input(`x${i}`));
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => send(accessOf(a, sender), failing(i))));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results[7]!.status).toBe('rejected');
    expect(await seqsOf(a)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('a send to a conversation that is not there, or deleted, is "gone" and writes nothing; the rest of its batch goes through', async () => {
    const [a, deleted] = [await group(), await group()];
    await db.query('UPDATE conversations SET deleted_at = now() WHERE id = $1', [deleted]);
    const missing = newId();
    const sender = newId();
    const send = createSendBatcher(db);
    const targets = Array.from({ length: 12 }, (_, i) => (i === 3 ? missing : i === 8 ? deleted : a));
    const inputs = targets.map((_, i) => input(`g${i}`));
    const outcomes = await Promise.all(targets.map((conversationId, i) => send(accessOf(conversationId, sender), inputs[i]!)));
    expect(outcomes.map((o) => o.outcome)).toEqual(targets.map((t) => (t === a ? 'created' : 'gone')));
    expect(await seqsOf(a)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(await seqsOf(deleted)).toEqual([]);
    const { rows } = await db.query<{ id: string }>('SELECT id FROM outbox WHERE id = ANY($1::uuid[])', [inputs.map((x) => x.event!.id)]);
    expect(rows.map((r) => r.id).sort()).toEqual(
      inputs
        .filter((_, i) => targets[i] === a)
        .map((x) => x.event!.id)
        .sort(),
    );
  });
});
