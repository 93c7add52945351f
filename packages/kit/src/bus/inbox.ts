import type { Db, EventEnvelope, Migration, Queryable } from '../ports.ts';

/**
 * Idempotent inbox: the bus delivers at least once (redelivery after a crash, a duplicate publish
 * after a lost confirm), so a consumer records each event id it has applied, in the same
 * transaction as the effect.
 */

export const inboxMigration: Migration = {
  id: '0000_inbox',
  sql: `
CREATE TABLE IF NOT EXISTS processed_events (
  queue text NOT NULL,
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, event_id)
);
`,
};

/**
 * The marks are needed only while a duplicate can still arrive: a redelivery after a crash or a
 * republish after a lost confirm comes within minutes; an operator replaying the dead-letter
 * queue may come days later. A week covers both; older marks are deleted. BRIN fits an
 * append-ordered timestamp and costs almost nothing on insert.
 */
export const INBOX_RETENTION_DAYS = 7;

export const inboxRetentionMigration: Migration = {
  id: '0000_inbox_retention',
  sql: `CREATE INDEX IF NOT EXISTS processed_events_processed_at ON processed_events USING brin (processed_at);`,
};

/** Deletes the marks older than the retention, in batches so no single statement runs long. */
export async function pruneInbox(db: Db, retentionDays = INBOX_RETENTION_DAYS): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM processed_events WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM processed_events WHERE processed_at < now() - make_interval(days => $1) LIMIT 10000))`,
      [retentionDays],
    );
    total += rowCount;
    if (rowCount < 10_000) return total;
  }
}

/**
 * The inbox mark, in the caller's transaction: true the first time this queue sees the event,
 * false for one it has already applied (a redelivery, a second publish), which should then
 * write nothing. The mark commits or rolls back with the effect, so a failed attempt leaves
 * none and the retry applies the event. Two concurrent deliveries of one event serialize on the
 * primary key: the second waits for the first to commit and then sees the mark.
 * Consumers reach it as `delivery.firstTime(tx)` (subscribe.ts).
 */
export async function claimEvent(tx: Queryable, queue: string, eventId: string): Promise<boolean> {
  const marked = await tx.query('INSERT INTO processed_events (queue, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id', [queue, eventId]);
  return marked.rows.length > 0;
}

/**
 * Applies an event once per queue: claimEvent and apply in one transaction, apply only if the
 * mark is new. Returns false for an event already applied.
 */
export async function handleOnce(db: Db, queue: string, event: EventEnvelope, apply: (tx: Queryable) => Promise<void>): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await claimEvent(tx, queue, event.id))) return false;
    await apply(tx);
    return true;
  });
}
