import type { Queryable } from '@parley/kit';
import type { MessageView } from '../presenters/message.presenter.ts';
import type { LiveMarks } from './live-marks.ts';
import type { LivePublisher } from './publish-live.ts';

/**
 * A healthy process relays its events within OUTBOX_NEW_MESSAGE_LINGER_MS of the commit: a message.created
 * row still unrelayed this long after it was made was left by a process that died.
 */
export const ORPHAN_MIN_AGE_MS = 2000;
/** Older frames are not worth sending: clients have long caught up by `seq` since. */
export const ORPHAN_MAX_AGE_MS = 10 * 60 * 1000;

interface OrphanRow {
  data: { message: MessageView; mentions?: string[]; recipients?: string[] };
}

/**
 * Run once at start, before the outbox relay: publishes on the live path the new messages a
 * previous process committed and may have died before publishing (killed between the commit
 * and the publish, or before its answer left: the client's retry is then answered by the stored
 * message, which is not published again). Their message.created rows are the ones still in the
 * outbox, unrelayed, since the relay runs after the live publish.
 *
 * Most of them went out live already: the process died after the publish but before its relay
 * pass. The live marks (live-marks.ts) say up to which `seq` of each conversation frames went
 * out, written a moment before the crash; the rows above their conversation's mark are
 * published (those of about the last LIVE_MARK_FLUSH_MS, and any never published). A frame sent
 * twice all the same is one docs/realtime.md asks clients to de-duplicate by message id; without
 * marks (Redis down, or an embedded cache that died with the process) every row goes out again.
 * Better twice than never: without this, a message whose frame was lost reaches a client only
 * when a later message of the conversation shows the hole in `seq`.
 */
export async function republishOrphanedLive(
  db: Queryable,
  publishLive: LivePublisher,
  marks: Pick<LiveMarks, 'of'>,
): Promise<{ published: number; skipped: number }> {
  const { rows } = await db.query<OrphanRow>(
    `SELECT data FROM outbox
      WHERE published_at IS NULL AND type = 'message.created'
        AND occurred_at < now() - make_interval(secs => $1) AND occurred_at > now() - make_interval(secs => $2)
      ORDER BY id`,
    [ORPHAN_MIN_AGE_MS / 1000, ORPHAN_MAX_AGE_MS / 1000],
  );
  if (rows.length === 0) return { published: 0, skipped: 0 };
  const published = await marks.of(rows.map((r) => r.data.message.conversationId)).catch(() => new Map<string, number>());
  let count = 0;
  for (const { data } of rows) {
    if (data.message.seq <= (published.get(data.message.conversationId) ?? 0)) continue;
    publishLive(data.message, data.mentions ?? [], data.recipients ?? []);
    count += 1;
  }
  return { published: count, skipped: rows.length - count };
}
