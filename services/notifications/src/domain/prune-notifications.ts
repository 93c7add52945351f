import type { PeriodicJob } from '@parley/kit';
import { deleteNotificationsOlderThan } from '../db/notification.repository.ts';
import type { NotificationsContext } from './context.ts';

export const PRUNE_NOTIFICATIONS_JOB = 'notifications.prune';
/** How often the stored notifications are pruned, once across the instances. */
export const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Deletes the stored notifications older than the retention (NOTIFICATION_RETENTION_DAYS). */
export async function pruneNotifications(ctx: Pick<NotificationsContext, 'db' | 'config' | 'logger'>): Promise<number> {
  const deleted = await deleteNotificationsOlderThan(ctx.db, ctx.config.NOTIFICATION_RETENTION_DAYS);
  if (deleted > 0) ctx.logger.info({ deleted, retentionDays: ctx.config.NOTIFICATION_RETENTION_DAYS }, 'old notifications deleted');
  return deleted;
}

/** The pruning as a periodic job of the service's queue: at start, then every PRUNE_EVERY_MS. */
export function pruneNotificationsJob(ctx: Pick<NotificationsContext, 'db' | 'config' | 'logger'>): PeriodicJob {
  return {
    name: PRUNE_NOTIFICATIONS_JOB,
    everyMs: PRUNE_EVERY_MS,
    async run() {
      await pruneNotifications(ctx);
    },
  };
}
