import { notFound } from '@parley/kit';
import { updateStatus, type UserRow, type UserStatus } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';
import { events } from './events.ts';
import { recordActivity } from './record-activity.ts';
import { invalidateUser } from './user-cache.ts';

export async function setStatus(ctx: AccountsContext, userId: string, status: UserStatus, text: string | null): Promise<UserRow> {
  const user = await events.transaction(ctx, async (tx, emit) => {
    const updated = await updateStatus(tx, userId, status, text);
    if (!updated) throw notFound('user');
    emit('user.status_changed', { userId, status, ...(text ? { text } : {}) });
    return updated;
  });
  await invalidateUser(ctx.cache, userId);
  await recordActivity(ctx, userId, 'status_changed', { status });
  return user;
}
