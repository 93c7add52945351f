import type { GroupRole } from '@parley/contracts';
import type { GroupRow } from '../db/group.repository.ts';
import type { MembershipRow } from '../db/membership.repository.ts';
import type { MemberEntry } from '../domain/group-cache.ts';

/** A group as its members see it, with the caller's own role. */
export function presentGroup(group: GroupRow, myRole: GroupRole) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    ownerId: group.owner_id,
    memberCount: group.member_count,
    myRole,
    createdAt: group.created_at.toISOString(),
    updatedAt: group.updated_at.toISOString(),
  };
}

/** A member, from the cache's entry or a fresh database row. */
export function presentMember(member: MemberEntry | MembershipRow) {
  return 'userId' in member
    ? { userId: member.userId, role: member.role, joinedAt: member.joinedAt }
    : { userId: member.user_id, role: member.role, joinedAt: member.joined_at.toISOString() };
}

export type GroupView = ReturnType<typeof presentGroup>;
export type MemberView = ReturnType<typeof presentMember>;
