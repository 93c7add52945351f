import { decodeLiveDelivery } from '@parley/contracts';
import { createLogger, type PubSub } from '@parley/kit';
import { adapterKinds } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('are published live at the next start, once each, oldest first; fresh, old and relayed rows are not', async () => {
    const row = (id: string, agoMs: number, published: boolean) => ({
      sql: `INSERT INTO outbox (id, type, occurred_at, producer, data, published_at)
            VALUES ($1, 'message.created', now() - make_interval(secs => $2), 'messages', $3::text::jsonb, ${published ? 'now()' : 'NULL'})`,
      params: [id, agoMs / 1000, JSON.stringify({ message: { id: `m-${id}`, seq: 1 }, mentions: ['u2'], recipients: ['u1', 'u2'] })],
    });
    const published: { id: string; mentions: readonly string[]; recipients: readonly string[] }[] = [];
    // In a transaction that is rolled back: the running relay never sees these rows.
    await stack.messagesDb
      .transaction(async (tx) => {
        for (const { sql, params } of [
          row('01900000-0000-7000-8000-000000000002', 5_000, false), // left by a process killed after its commit
          row('01900000-0000-7000-8000-000000000001', 6_000, false), // an older one of the same kind
          row('01900000-0000-7000-8000-000000000003', 100, false), // a live process's, still within its linger
          row('01900000-0000-7000-8000-000000000004', 5_000, true), // relayed, hence published live before
          row('01900000-0000-7000-8000-000000000005', ORPHAN_MAX_AGE_MS + 60_000, false), // too old to matter
        ])
          await tx.query(sql, params);
        const count = await republishOrphanedLive(tx, (message, mentions, recipients) => published.push({ id: message.id, mentions, recipients }));
        expect(count).toBe(2);
        throw new Error('roll back');
      })
      .catch((error: unknown) => {
        if ((error as Error).message !== 'roll back') throw error;
      });
    expect(published).toEqual([
      { id: 'm-01900000-0000-7000-8000-000000000001', mentions: ['u2'], recipients: ['u1', 'u2'] },
      { id: 'm-01900000-0000-7000-8000-000000000002', mentions: ['u2'], recipients: ['u1', 'u2'] },
    ]);
  });
});
