import { decodeLiveDelivery } from '@parley/contracts';
import { createLogger, type PubSub } from '@parley/kit';
import { adapterKinds } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLiveMarks, LIVE_MARK_FLUSH_MS } from '../src/domain/live-marks.ts';
import { createLivePublisher } from '../src/domain/publish-live.ts';
import { ORPHAN_MAX_AGE_MS, republishOrphanedLive } from '../src/domain/republish-orphaned-live.ts';
import { createGroup, send, startMessagesStack, type MessagesStack } from './stack.ts';

/** A pub/sub whose publishes fail, as while Redis is down (subscribing still works). */
const failingPublishes = (shared: PubSub): PubSub => ({
  ...shared,
  publish: async () => {
    throw new Error('Connection is closed.');
  },
});

describe('live publisher', () => {
  const message = { id: 'm', conversationId: 'c', seq: 1 } as never;

  it('publishes the frame once with the members, de-duplicated', async () => {
    const published: string[] = [];
    const pubsub = { publish: async (_channel: string, payload: string) => void published.push(payload) } as unknown as PubSub;
    createLivePublisher(pubsub, createLogger('test', 'silent'))(message, ['u2'], ['u1', 'u2', 'u1']);
    expect(published).toHaveLength(1);
    const delivery = decodeLiveDelivery(published[0]!);
    expect(delivery?.recipients).toEqual(['u1', 'u2']);
    expect(JSON.parse(delivery!.frame)).toEqual({ type: 'message.created', data: { message, mentions: ['u2'] } });
  });

  it('a failing publish, rejected or thrown, never reaches the caller and is logged once per outage', async () => {
    const logger = createLogger('test', 'silent');
    const warn = vi.spyOn(logger, 'warn');
    const rejecting = createLivePublisher(failingPublishes({} as PubSub), logger);
    const throwing = createLivePublisher(
      {
        publish: () => {
          throw new Error('closed');
        },
      } as unknown as PubSub,
      logger,
    );
    for (let i = 0; i < 5; i++) {
      rejecting(message, [], ['u1']);
      throwing(message, [], ['u1']);
    }
    await vi.waitFor(() => expect(warn).toHaveBeenCalled());
    await new Promise((resolve) => setImmediate(resolve));
    // One line for the rejecting publisher's outage, one for the throwing one's: not ten.
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe.each(adapterKinds())('a send while the live path is down (%s)', (kind) => {
  let stack: MessagesStack;
  beforeAll(async () => {
    stack = await startMessagesStack(kind, { messagesPubSub: failingPublishes });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('is accepted and stored: clients catch up by seq', async () => {
    const [owner, member] = await Promise.all([stack.register(), stack.register()]);
    const groupId = await createGroup(stack, owner, [member]);
    const message = await send(stack, owner, groupId, 'stored anyway');
    const page = await stack.api('GET', `/api/v1/conversations/${groupId}/messages?after=0`, { token: member.token });
    expect(page.status).toBe(200);
    expect(page.body.items.map((m: { id: string }) => m.id)).toEqual([message.id]);
  });
});

describe.each(adapterKinds())('new messages a dead process left unpublished (%s)', (kind) => {
  let stack: MessagesStack;
  beforeAll(async () => {
    stack = await startMessagesStack(kind);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('are published live at the next start, once each, oldest first; fresh, old, relayed and marked rows are not', async () => {
    const row = (id: string, agoMs: number, published: boolean, conversationId = 'c', seq = 1) => ({
      sql: `INSERT INTO outbox (id, type, occurred_at, producer, data, published_at)
            VALUES ($1, 'message.created', now() - make_interval(secs => $2), 'messages', $3::text::jsonb, ${published ? 'now()' : 'NULL'})`,
      params: [id, agoMs / 1000, JSON.stringify({ message: { id: `m-${id}`, conversationId, seq }, mentions: ['u2'], recipients: ['u1', 'u2'] })],
    });
    const published: { id: string; mentions: readonly string[]; recipients: readonly string[] }[] = [];
    // The dead process's marks: frames of conversation `marked` went out up to seq 8.
    const marks = { of: async () => new Map([['marked', 8]]) };
    // In a transaction that is rolled back: the running relay never sees these rows.
    await stack.messagesDb
      .transaction(async (tx) => {
        for (const { sql, params } of [
          row('01900000-0000-7000-8000-000000000002', 5_000, false), // left by a process killed after its commit
          row('01900000-0000-7000-8000-000000000001', 6_000, false), // an older one of the same kind
          row('01900000-0000-7000-8000-000000000003', 100, false), // a live process's, still within its linger
          row('01900000-0000-7000-8000-000000000004', 5_000, true), // relayed, hence published live before
          row('01900000-0000-7000-8000-000000000005', ORPHAN_MAX_AGE_MS + 60_000, false), // too old to matter
          row('01900000-0000-7000-8000-000000000006', 5_000, false, 'marked', 8), // unrelayed but marked live
          row('01900000-0000-7000-8000-000000000007', 5_000, false, 'marked', 9), // above the mark: published after it was written
        ])
          await tx.query(sql, params);
        const count = await republishOrphanedLive(tx, (message, mentions, recipients) => published.push({ id: message.id, mentions, recipients }), marks);
        expect(count).toEqual({ published: 3, skipped: 1 });
        throw new Error('roll back');
      })
      .catch((error: unknown) => {
        if ((error as Error).message !== 'roll back') throw error;
      });
    expect(published).toEqual([
      { id: 'm-01900000-0000-7000-8000-000000000001', mentions: ['u2'], recipients: ['u1', 'u2'] },
      { id: 'm-01900000-0000-7000-8000-000000000002', mentions: ['u2'], recipients: ['u1', 'u2'] },
      { id: 'm-01900000-0000-7000-8000-000000000007', mentions: ['u2'], recipients: ['u1', 'u2'] },
    ]);
  });

  it('without marks (the cache unreadable) every orphan goes out again', async () => {
    const published: string[] = [];
    await stack.messagesDb
      .transaction(async (tx) => {
        await tx.query(
          `INSERT INTO outbox (id, type, occurred_at, producer, data) VALUES ($1, 'message.created', now() - interval '5 seconds', 'messages', $2::text::jsonb)`,
          ['01900000-0000-7000-8000-000000000011', JSON.stringify({ message: { id: 'm-11', conversationId: 'c', seq: 3 } })],
        );
        const count = await republishOrphanedLive(tx, (message) => published.push(message.id), { of: () => Promise.reject(new Error('Connection is closed.')) });
        expect(count).toEqual({ published: 1, skipped: 0 });
        throw new Error('roll back');
      })
      .catch((error: unknown) => {
        if ((error as Error).message !== 'roll back') throw error;
      });
    expect(published).toEqual(['m-11']);
  });

  it('the marks: the highest seq per conversation whose publish succeeded, written within a flush interval, read back by the next process', async () => {
    const logger = createLogger('test', 'silent');
    const conversation = `c-${Date.now()}`;
    const other = `o-${Date.now()}`;
    const marks = createLiveMarks(stack.adapters.cache, logger, 60);
    marks.start();
    const wentOut: string[] = [];
    const onPublished = (m: { id: string; conversationId: string; seq: number }): void => {
      wentOut.push(m.id);
      marks.published(m.conversationId, m.seq);
    };
    const ok = createLivePublisher(stack.adapters.pubsub, logger, onPublished);
    const failing = createLivePublisher(failingPublishes(stack.adapters.pubsub), logger, onPublished);
    for (const seq of [1, 2, 3]) ok({ id: `m${seq}`, conversationId: conversation, seq } as never, [], ['u1']);
    failing({ id: 'm4', conversationId: conversation, seq: 4 } as never, [], ['u1']); // never went out: not marked
    failing({ id: 'o1', conversationId: other, seq: 1 } as never, [], ['u1']);
    const nextProcess = createLiveMarks(stack.adapters.cache, logger, 60);
    await vi.waitFor(async () => expect(await nextProcess.of([conversation, other])).toEqual(new Map([[conversation, 3]])), { timeout: LIVE_MARK_FLUSH_MS * 20 });
    ok({ id: 'm5', conversationId: conversation, seq: 5 } as never, [], ['u1']);
    await vi.waitFor(() => expect(wentOut).toContain('m5'));
    await marks.stop(); // writes what the last interval left
    expect(await nextProcess.of([conversation])).toEqual(new Map([[conversation, 5]]));
  });
});
