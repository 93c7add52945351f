import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CLEAN_UP_JOB, eventsCleanUpJob } from '../src/bus/clean-up.ts';
import { handleOnce, inboxMigration, inboxRetentionMigration } from '../src/bus/inbox.ts';
import { makeEvent, outboxMigration } from '../src/bus/outbox.ts';
import { migrate } from '../src/db/migrate.ts';
import { firstIdAt, newId } from '../src/ids.ts';
import type { Db } from '../src/ports.ts';
import { adapterKinds, openTestDb } from '../src/testing/infra.ts';

/** The hourly clean-up of a service's event tables, as every service schedules it (startJobs). */
describe.each(adapterKinds())('events clean-up job (%s)', (kind) => {
  let db: Db;

  beforeAll(async () => {
    db = await openTestDb(kind);
    await migrate(db, [outboxMigration, inboxMigration, inboxRetentionMigration]);
  });

  afterAll(async () => {
    await db.close();
  });

  it('deletes published events older than a day and inbox marks older than 7 days, and keeps the rest', async () => {
    const twoDaysAgo = firstIdAt(new Date(Date.now() - 2 * 24 * 60 * 60 * 1000));
    const oldPublished = `${twoDaysAgo.slice(0, 24)}000000000001`;
    const oldUnpublished = `${twoDaysAgo.slice(0, 24)}000000000002`;
    const recentPublished = newId();
    await db.query(
      `INSERT INTO outbox (id, type, occurred_at, producer, data, published_at)
       VALUES ($1, 't', now(), 'test', '{}', now()), ($2, 't', now(), 'test', '{}', NULL), ($3, 't', now(), 'test', '{}', now())`,
      [oldPublished, oldUnpublished, recentPublished],
    );
    const [oldMark, recentMark] = [makeEvent('t', {}, 'test'), makeEvent('t', {}, 'test')];
    await handleOnce(db, 'q.clean', oldMark, async () => undefined);
    await handleOnce(db, 'q.clean', recentMark, async () => undefined);
    await db.query(`UPDATE processed_events SET processed_at = now() - interval '8 days' WHERE event_id = $1`, [oldMark.id]);

    const job = eventsCleanUpJob(db);
    expect(job).toMatchObject({ name: EVENTS_CLEAN_UP_JOB, everyMs: 60 * 60 * 1000 });
    await job.run();

    const outbox = await db.query<{ id: string }>('SELECT id FROM outbox ORDER BY id');
    expect(outbox.rows.map((row) => row.id)).toEqual([oldUnpublished, recentPublished]);
    const inbox = await db.query<{ event_id: string }>(`SELECT event_id FROM processed_events WHERE queue = 'q.clean'`);
    expect(inbox.rows.map((row) => row.event_id)).toEqual([recentMark.id]);
  });
});
