import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleOnce, inboxMigration, inboxRetentionMigration, pruneInbox } from '../src/bus/inbox.ts';
import { makeEvent } from '../src/bus/outbox.ts';
import { migrate } from '../src/db/migrate.ts';
import type { Db, Queryable } from '../src/ports.ts';
import { adapterKinds, openTestDb } from '../src/testing/infra.ts';

describe.each(adapterKinds())('inbox (%s)', (kind) => {
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(kind);
    await migrate(db, [inboxMigration, inboxRetentionMigration]);
    await db.query('CREATE TABLE applied (event_id uuid NOT NULL)');
  });

  afterAll(async () => {
    await db.close();
  });

  const record = async (tx: Queryable, id: string): Promise<void> => {
    await tx.query('INSERT INTO applied (event_id) VALUES ($1)', [id]);
  };

  it('applies an event once per queue, whatever the number of deliveries', async () => {
    const event = makeEvent('thing.happened', { n: 1 }, 'test');
    expect(await handleOnce(db, 'q.one', event, (tx) => record(tx, event.id))).toBe(true);
    expect(await handleOnce(db, 'q.one', event, (tx) => record(tx, event.id))).toBe(false);
    // Another queue (another consumer) applies it on its own.
    expect(await handleOnce(db, 'q.two', event, (tx) => record(tx, event.id))).toBe(true);
    const { rows } = await db.query('SELECT 1 FROM applied WHERE event_id = $1', [event.id]);
    expect(rows).toHaveLength(2);
  });

  it('keeps no mark when applying fails, so the retry applies the event', async () => {
    const event = makeEvent('thing.happened', { n: 2 }, 'test');
    await expect(
      handleOnce(db, 'q.one', event, async () => {
        throw new Error('downstream failed');
      }),
    ).rejects.toThrow('downstream failed');
    expect(await handleOnce(db, 'q.one', event, (tx) => record(tx, event.id))).toBe(true);
  });

  it('prunes the marks older than the retention and keeps the recent ones', async () => {
    const old = makeEvent('thing.happened', { n: 3 }, 'test');
    const recent = makeEvent('thing.happened', { n: 4 }, 'test');
    await handleOnce(db, 'q.prune', old, async () => undefined);
    await handleOnce(db, 'q.prune', recent, async () => undefined);
    await db.query(`UPDATE processed_events SET processed_at = now() - interval '8 days' WHERE event_id = $1`, [old.id]);

    expect(await pruneInbox(db, 7)).toBe(1);
    const { rows } = await db.query<{ event_id: string }>(`SELECT event_id FROM processed_events WHERE queue = 'q.prune'`);
    expect(rows.map((row) => row.event_id)).toEqual([recent.id]);
    expect(await pruneInbox(db, 7)).toBe(0);
  });
});
