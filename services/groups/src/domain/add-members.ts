import { badRequest, forbidden, notFound } from '@parley/kit';
import { adjustMemberCount } from '../db/group.repository.ts';
import { insertMemberships, memberIdsAmong, type MembershipRow } from '../db/membership.repository.ts';
import { canManageMembers, findAccess, lockAsMember, type GroupAccess } from './access.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { findUnknownUsers } from './find-unknown-users.ts';
import { forgetGroup } from './group-cache.ts';
import { assertWithinMemberLimit } from './member-limit.ts';

/**
 * Admins and the owner add users as members. Users who already belong are left as they are;
 * unknown users make the whole call a 400 that names them; past the member limit, a 409.
 * Returns the memberships this call created.
 */
export async function addMembers(ctx: GroupsContext, callerId: string, groupId: string, userIds: readonly string[]): Promise<MembershipRow[]> {
  const requested = [...new Set(userIds)];
  // Checked once before asking accounts, so a non-member learns nothing about the users, and
  // again under the lock below, where it counts.
  const authorize = <A extends GroupAccess>(caller: A | undefined): A => {
    if (!caller) throw notFound('group');
    if (!canManageMembers(caller.role)) throw forbidden('Only admins and the owner add members.');
    return caller;
  };
  const access = authorize(await findAccess(ctx.db, groupId, callerId));
  const already = new Set(await memberIdsAmong(ctx.db, access, requested));
  const candidates = requested.filter((id) => !already.has(id));
  const unknown = await findUnknownUsers(ctx, candidates);
  if (unknown.length > 0) {
    throw badRequest('Some users do not exist.', { 'body.userIds': [`unknown users: ${unknown.join(', ')}`] });
  }
  if (candidates.length === 0) return [];

  const added = await events.transaction(ctx, async (tx, emit) => {
    const { group, access: locked } = await lockAsMember(tx, groupId, callerId);
    const change = authorize(locked);
    const rows = await insertMemberships(
      tx,
      change,
      candidates.map((userId) => ({ userId, role: 'member' as const })),
    );
    if (rows.length === 0) return rows;
    assertWithinMemberLimit(ctx.config.GROUP_MEMBER_LIMIT, group.member_count + rows.length);
    await adjustMemberCount(tx, change, rows.length);
    emit('group.member_added', ...rows.map((row) => ({ groupId, userId: row.user_id, role: row.role, addedBy: callerId })));
    return rows;
  });
  if (added.length > 0) {
    await forgetGroup(
      ctx.cache,
      groupId,
      added.map((row) => row.user_id),
    );
  }
  return added;
}
