import type { PresenceFrameData } from '@parley/contracts';
import type { NotificationsContext } from './context.ts';

/** Who of these users is connected now, with the status they chose (invisible users show offline). */
export async function presenceOfUsers(ctx: Pick<NotificationsContext, 'presence'>, userIds: readonly string[]): Promise<PresenceFrameData[]> {
  return ctx.presence.statusOf(userIds);
}
