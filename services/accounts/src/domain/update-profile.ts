import { notFound } from '@parley/kit';
import { updateProfile as updateProfileRow, type ProfileChanges, type UserRow } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';
import { events } from './events.ts';
import { recordActivity } from './record-activity.ts';
import { invalidateUser } from './user-cache.ts';

export async function updateProfile(ctx: AccountsContext, userId: string, changes: ProfileChanges): Promise<UserRow> {
  const user = await events.transaction(ctx, async (tx, emit) => {
    const updated = await updateProfileRow(tx, userId, changes);
    if (!updated) throw notFound('user');
    // Every service hears user.updated, whose changes are public-profile fields (see contracts);
    // the locale is private, as in the public profile, so it stays out.
    const { locale: _private, ...publicChanges } = changes;
    emit('user.updated', { userId, changes: publicChanges });
    return updated;
  });
  await invalidateUser(ctx.cache, userId);
  await recordActivity(ctx, userId, 'profile_updated', { fields: Object.keys(changes) });
  return user;
}
