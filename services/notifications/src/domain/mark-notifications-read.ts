import { markAllRead, markRead } from '../db/notification.repository.ts';
import type { NotificationsContext } from './context.ts';

/** Marks the caller's notifications read: some by id (others' ids are ignored), or all. */
export async function markNotificationsRead(
  ctx: Pick<NotificationsContext, 'db'>,
  userId: string,
  which: { ids: readonly string[] } | { all: true },
): Promise<void> {
  if ('all' in which) await markAllRead(ctx.db, userId);
  else await markRead(ctx.db, userId, which.ids);
}
