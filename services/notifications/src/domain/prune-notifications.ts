import { deleteNotificationsOlderThan } from '../db/notification.repository.ts';
import type { NotificationsContext } from './context.ts';

/** How often each instance prunes; deletes are idempotent, so instances need not coordinate. */
export const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Deletes the stored notifications older than the retention (NOTIFICATION_RETENTION_DAYS). */
export async function pruneNotifications(ctx: Pick<NotificationsContext, 'db' | 'config' | 'logger'>): Promise<number> {
  const deleted = await deleteNotificationsOlderThan(ctx.db, ctx.config.NOTIFICATION_RETENTION_DAYS);
  if (deleted > 0) ctx.logger.info({ deleted, retentionDays: ctx.config.NOTIFICATION_RETENTION_DAYS }, 'old notifications deleted');
  return deleted;
}

/** Prunes now and then every PRUNE_EVERY_MS until the returned stop is called. */
export function schedulePruning(ctx: Pick<NotificationsContext, 'db' | 'config' | 'logger'>): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const run = (): void => {
    running = pruneNotifications(ctx).catch((err: unknown) => ctx.logger.warn({ err }, 'pruning notifications failed'));
  };
  run();
  const timer = setInterval(run, PRUNE_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
