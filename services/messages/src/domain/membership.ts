import { groupRoleSchema, type GroupRole } from '@parley/contracts';
import { isUuid, notFound, unary, type AppError } from '@parley/kit';
import type { ConversationRef, Membership, ReadAccess, SendAccess } from '../db/access.ts';
import {
  existingConversationIds,
  findConversation,
  findConversationFor,
  insertGroupConversation,
  listDirectConversationIds,
  listDirectMemberIds,
  type ConversationRow,
} from '../db/conversation.repository.ts';
import { presentConversation } from '../presenters/conversation.presenter.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';

export type { Membership, ReadAccess, SendAccess } from '../db/access.ts';

/**
 * Who belongs to which conversation. Direct conversations: our own conversation_members.
 * Group conversations (id = the group's id): the groups service over gRPC, cached here and
 * invalidated by the group.* consumer (events/group-events.ts), so a removal takes effect on
 * the first request after its event arrives. Only positive answers are cached: someone just
 * added to a group (or who just created it) is asked about afresh, never refused from a stale
 * "no".
 */

/** Long: entries are deleted by events, the TTL only bounds memory. */
const TTL_SECONDS = 3600;
/**
 * Shorter for membership answers: events delete them, but a read racing a removal could put
 * back a stale "yes" just after; this bounds how long such a leftover could last.
 */
const MEMBERSHIP_TTL_SECONDS = 600;

export const membershipKey = (conversationId: string, userId: string): string => `messages:membership:${conversationId}:${userId}`;
export const userGroupsKey = (userId: string): string => `messages:user-groups:${userId}`;
/** A direct conversation's members never change: a "yes" can be kept as long as the cache likes. */
export const directMemberKey = (conversationId: string, userId: string): string => `messages:direct-member:${conversationId}:${userId}`;
export const groupMembersKey = (groupId: string): string => `messages:members:${groupId}`;

type MembershipDeps = Pick<MessagesContext, 'db' | 'cache' | 'groups' | 'config' | 'logger' | 'outbox'>;

const roleOf = (role: string | undefined): GroupRole => {
  const parsed = groupRoleSchema.safeParse(role);
  return parsed.success ? parsed.data : 'member';
};

const grpcOptions = (ctx: Pick<MessagesContext, 'config' | 'logger'>) => ({
  deadlineMs: ctx.config.GRPC_DEADLINE_MS,
  retries: 2,
  logger: ctx.logger,
});

/** The caller's role in a group, or null when not a member (also for an unknown group). */
export async function groupRole(ctx: MembershipDeps, groupId: string, userId: string): Promise<GroupRole | null> {
  const cached = await ctx.cache.get<{ role: GroupRole }>(membershipKey(groupId, userId));
  return cached ? cached.role : askGroupRole(ctx, groupId, userId);
}

/** The caller's role from groups, cached when a member. */
async function askGroupRole(ctx: MembershipDeps, groupId: string, userId: string): Promise<GroupRole | null> {
  const answer = await unary(ctx.groups, 'getMembership', { groupId, userId }, grpcOptions(ctx));
  if (!answer.isMember) return null;
  const role = roleOf(answer.role);
  await ctx.cache.set(membershipKey(groupId, userId), { role }, MEMBERSHIP_TTL_SECONDS);
  // A membership we did not know of: the user's cached group list may predate it.
  await ctx.cache.del(userGroupsKey(userId));
  return role;
}

/**
 * The caller's role asked of groups afresh (then cached), for a refusal a cached role would
 * decide: a promotion whose event has not arrived yet must not be refused from the older role
 * (the same rule as for membership: never refused from a stale "no").
 */
export async function currentGroupRole(ctx: MembershipDeps, groupId: string, userId: string): Promise<GroupRole | null> {
  const role = await askGroupRole(ctx, groupId, userId);
  // No longer a member: the cached "yes" must not outlive the answer.
  if (!role) await ctx.cache.del(membershipKey(groupId, userId));
  return role;
}

type GroupMember = { userId: string; role: GroupRole };

/** A group's members with their roles, cached; empty for an unknown group. */
export async function groupMembers(ctx: MembershipDeps, groupId: string): Promise<GroupMember[]> {
  return (await cachedGroupMembers(ctx, groupId)) ?? loadGroupMembers(ctx, groupId);
}

/** A group's members if the cache has them, without asking groups (a send reads them with its other cache reads). */
export function cachedGroupMembers(ctx: Pick<MessagesContext, 'cache'>, groupId: string): Promise<GroupMember[] | undefined> {
  return ctx.cache.get<GroupMember[]>(groupMembersKey(groupId));
}

/** A group's members from groups, then cached; empty for an unknown group. */
export async function loadGroupMembers(ctx: MembershipDeps, groupId: string): Promise<GroupMember[]> {
  let members: GroupMember[];
  try {
    const answer = await unary(ctx.groups, 'listMembers', { groupId }, grpcOptions(ctx));
    members = answer.members.map((m) => ({ userId: m.userId, role: roleOf(m.role) }));
  } catch (error) {
    if ((error as Partial<AppError>).httpStatus === 404) return [];
    throw error;
  }
  await ctx.cache.set(groupMembersKey(groupId), members, TTL_SECONDS);
  return members;
}

/**
 * Reads a new group's members from groups once, off the send path, and caches them with each
 * member's answer: the first message in a new group (a new direct-like room of two, most of all)
 * then costs no gRPC call. The same read the first send would make, only earlier, so it races a
 * removal no differently (see MEMBERSHIP_TTL_SECONDS).
 */
export async function warmGroupMembership(ctx: MembershipDeps, groupId: string): Promise<void> {
  const members = await loadGroupMembers(ctx, groupId);
  await ctx.cache.setMany(
    members.map((m) => [membershipKey(groupId, m.userId), { role: m.role }] as const),
    MEMBERSHIP_TTL_SECONDS,
  );
}

/** The ids of every group the user belongs to, cached. */
export async function userGroupIds(ctx: MembershipDeps, userId: string): Promise<string[]> {
  const cached = await ctx.cache.get<string[]>(userGroupsKey(userId));
  if (cached) return cached;
  const answer = await unary(ctx.groups, 'listUserGroups', { userId }, grpcOptions(ctx));
  await ctx.cache.set(userGroupsKey(userId), answer.groupIds, TTL_SECONDS);
  return answer.groupIds;
}

/**
 * The local row of a group's conversation, created on first use: a group is usable the moment
 * it exists, whether or not its group.created event has arrived. Whoever creates the row emits
 * conversation.created.
 */
export async function ensureGroupConversation(ctx: MembershipDeps, groupId: string): Promise<ConversationRow> {
  const existing = await findConversation(ctx.db, groupId);
  if (existing) return existing;
  const memberIds = (await groupMembers(ctx, groupId)).map((m) => m.userId);
  return events.transaction(ctx, async (tx, emit) => {
    const inserted = await insertGroupConversation(tx, { id: groupId });
    if (inserted) {
      emit('conversation.created', { conversation: presentConversation(inserted), memberIds });
      return inserted;
    }
    const found = await findConversation(tx, groupId);
    if (!found) throw new Error(`group conversation ${groupId} neither inserted nor found`);
    return found;
  });
}

/**
 * Proof that userId belongs to the conversation, with its row and the caller's group role.
 * Throws notFound('conversation') for non-members, unknown and malformed ids and deleted groups
 * alike, so a caller cannot tell them apart.
 */
export async function assertMember(ctx: MembershipDeps, conversationId: string, userId: string): Promise<Membership> {
  if (!isUuid(conversationId)) throw notFound('conversation');
  const found = await findConversationFor(ctx.db, conversationId, userId);
  if (found?.deleted_at) throw notFound('conversation');
  if (found?.type === 'direct') {
    if (!found.direct_member) throw notFound('conversation');
    const { direct_member: _, ...conversation } = found;
    return { conversation, role: null, userId } as Membership;
  }
  const role = await groupRole(ctx, conversationId, userId);
  if (!role) throw notFound('conversation');
  let conversation: ConversationRow;
  if (found) {
    const { direct_member: _, ...row } = found;
    conversation = row;
  } else {
    conversation = await ensureGroupConversation(ctx, conversationId);
    if (conversation.deleted_at) throw notFound('conversation');
  }
  return { conversation, role, userId } as Membership;
}

/** What the cache says of userId in the conversation: a direct member, a group role, or nothing known. */
async function cachedMembership(
  ctx: MembershipDeps,
  id: string,
  userId: string,
): Promise<{ type: 'direct'; role: null } | { type: 'group'; role: GroupRole } | undefined> {
  const [direct, group] = await ctx.cache.getMany<unknown>([directMemberKey(id, userId), membershipKey(id, userId)]);
  if (direct !== undefined) return { type: 'direct', role: null };
  if (group !== undefined) return { type: 'group', role: roleOf((group as { role?: string }).role) };
  return undefined;
}

/** assertMember, then a direct membership is cached for good (it never changes). */
async function assertMemberAndRemember(ctx: MembershipDeps, id: string, userId: string): Promise<Membership> {
  const membership = await assertMember(ctx, id, userId);
  if (membership.conversation.type === 'direct') await ctx.cache.set(directMemberKey(id, userId), true, TTL_SECONDS);
  return membership;
}

/**
 * Proof that userId may read the conversation's messages, for the read path: one cache round
 * trip when a membership answer is cached (a direct one, kept for good, or a group one, which
 * group events invalidate as for assertMember), assertMember otherwise. Unlike assertMember it
 * reads no conversation row: the query that reads the messages checks that the conversation
 * exists and is not deleted (see listMessages).
 */
export async function assertReader(ctx: MembershipDeps, conversationId: string, userId: string): Promise<ReadAccess> {
  if (!isUuid(conversationId)) throw notFound('conversation');
  const id = conversationId.toLowerCase();
  if (await cachedMembership(ctx, id, userId)) return { conversationId: id, userId } as ReadAccess;
  const membership = await assertMemberAndRemember(ctx, id, userId);
  return { conversationId: membership.conversation.id, userId } as ReadAccess;
}

/**
 * Proof that userId may send to the conversation, for the send path: like assertReader, one cache
 * round trip when a membership answer is cached, assertMember otherwise. It reads no conversation
 * row: send_message() checks that the conversation exists and is not deleted, and answers 'gone'
 * when not; the sender then asks assertMember (see sendMessage), which answers 404 or makes a
 * group's conversation row that did not exist yet.
 */
export async function assertSender(ctx: MembershipDeps, conversationId: string, userId: string): Promise<SendAccess> {
  if (!isUuid(conversationId)) throw notFound('conversation');
  const id = conversationId.toLowerCase();
  const cached = await cachedMembership(ctx, id, userId);
  if (cached) return { conversation: { id, type: cached.type }, role: cached.role, userId } as SendAccess;
  return assertMemberAndRemember(ctx, id, userId);
}

/**
 * Every conversation id the user belongs to: their direct conversations and their groups'
 * conversations (from ListUserGroups, cached), minus deleted groups. Search scopes by it.
 */
export async function memberConversationIds(ctx: MembershipDeps, userId: string): Promise<string[]> {
  const [direct, groups] = await Promise.all([listDirectConversationIds(ctx.db, userId), userGroupIds(ctx, userId)]);
  const deleted = new Set((await existingConversationIds(ctx.db, groups)).filter((c) => c.deleted).map((c) => c.id));
  return [...new Set([...direct, ...groups.filter((id) => !deleted.has(id))])];
}

/** Everyone who belongs to the conversation now: the direct pair or the group's members. */
export async function conversationMemberIds(ctx: MembershipDeps, conversation: ConversationRef): Promise<string[]> {
  if (conversation.type === 'direct') return listDirectMemberIds(ctx.db, conversation.id);
  return (await groupMembers(ctx, conversation.id)).map((m) => m.userId);
}
