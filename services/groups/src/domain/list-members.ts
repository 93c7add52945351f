import { isUuid } from '@parley/kit';
import { requireMember, type GroupAccess } from './access.ts';
import type { GroupsContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { getMembers, type MemberEntry } from './group-cache.ts';

const isTimestamp = (value: string): boolean => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) && !Number.isNaN(Date.parse(value));

/** A page of a group's members as a member reads it. */
export async function readMembers(
  ctx: Pick<GroupsContext, 'db' | 'cache'>,
  proof: GroupAccess,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: MemberEntry[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor, 2, ([at, id]) => isTimestamp(at ?? '') && isUuid(id ?? '')) : undefined;
  const members = (await getMembers(ctx, proof.groupId)) ?? [];
  // Keyset on (joinedAt, userId), both compared as the strings they are: ISO-8601 UTC in one
  // format sorts as time does, and the ids are lower-case.
  const rest = after ? members.filter((m) => m.joinedAt > (after[0] ?? '') || (m.joinedAt === after[0] && m.userId > (after[1] ?? '').toLowerCase())) : members;
  const items = rest.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: rest.length > page.limit && last ? encodeCursor([last.joinedAt, last.userId]) : null };
}

/** The members of a group, oldest membership first, keyset-paginated; 404 unless the caller is a member. */
export async function listMembers(
  ctx: Pick<GroupsContext, 'db' | 'cache'>,
  callerId: string,
  groupId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: MemberEntry[]; nextCursor: string | null }> {
  return readMembers(ctx, await requireMember(ctx, groupId, callerId), page);
}
