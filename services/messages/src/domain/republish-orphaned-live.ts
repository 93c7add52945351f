import type { Queryable } from '@parley/kit';
import type { MessageView } from '../presenters/message.presenter.ts';
import type { LivePublisher } from './publish-live.ts';

/**
 * A healthy process relays its events within OUTBOX_LINGER_MS of the commit: a message.created
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
 * Some of them may have gone out live already (the process died after the publish but before
 * its relay pass): a client then gets the frame twice, which docs/realtime.md asks it to
 * de-duplicate by message id. Better twice than never: without this, a message whose frame was
 * lost reaches a client only when a later message of the conversation shows the hole in `seq`.
 */
export async function republishOrphanedLive(db: Queryable, publishLive: LivePublisher): Promise<number> {
  const { rows } = await db.query<OrphanRow>(
    `SELECT data FROM outbox
      WHERE published_at IS NULL AND type = 'message.created'
        AND occurred_at < now() - make_interval(secs => $1) AND occurred_at > now() - make_interval(secs => $2)
      ORDER BY id`,
    [ORPHAN_MIN_AGE_MS / 1000, ORPHAN_MAX_AGE_MS / 1000],
  );
  for (const { data } of rows) publishLive(data.message, data.mentions ?? [], data.recipients ?? []);
  return rows.length;
}
