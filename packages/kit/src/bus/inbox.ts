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
 * Applies an event once per queue. In one transaction: mark the id, and run apply only if the
 * mark is new. Returns false for an event already applied. A failing apply rolls the mark back
 * with it, so the retry applies it. Two concurrent deliveries of one event serialize on the
 * primary key: the second waits for the first to commit and then sees the mark.
 */
export async function handleOnce(
  db: Db,
  queue: string,
  event: EventEnvelope,
  apply: (tx: Queryable) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const marked = await tx.query(
      'INSERT INTO processed_events (queue, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id',
      [queue, event.id],
    );
    if (marked.rows.length === 0) return false;
    await apply(tx);
    return true;
  });
}
