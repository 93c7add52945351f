import { groupRoleSchema, type GroupRole } from '@parley/contracts';
import { cached, isUuid, notFound, unary, type AppError, type CachedRead } from '@parley/kit';
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
import { emit } from './events.ts';

export type { Membership, ReadAccess, SendAccess } from '../db/access.ts';

/**
 * Who belongs to which conversation. Direct conversations: our own conversation_members.
 * Group conversations (id = the group's id): the groups service over gRPC, cached here and
 * invalidated by the group.* consumer (events/group-events.ts), so a removal takes effect on
 * the first request after its event arrives; through the kit's `cached`, so an answer read just
 * before a removal is never written back after it. Only positive answers are cached: someone
 * just added to a group (or who just created it) is asked about afresh, never refused from a
 * stale "no".
 */

/** Entries are invalidated by events, the TTL only bounds memory. */
const TTL_SECONDS = 3600;

/** A member's role in a group, by `membershipId(groupId, userId)`. */
export const groupMemberships = cached<{ role: GroupRole }>({ name: 'messages:membership', ttlSeconds: TTL_SECONDS });
export const membershipId = (groupId: string, userId: string): string => `${groupId}:${userId}`;
/** The ids of a user's groups, by user id. */
export const userGroups = cached<string[]>({ name: 'messages:user-groups', ttlSeconds: TTL_SECONDS });
/** A direct conversation's members never change: a "yes" (by `membershipId(conversationId, userId)`) is never invalidated. */
export const directMembers = cached<true>({ name: 'messages:direct-member', ttlSeconds: TTL_SECONDS });
/** A group's members with their roles, by group id. */
export const groupMemberLists = cached<GroupMember[]>({ name: 'messages:members', ttlSeconds: TTL_SECONDS });

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
  const [read] = await groupMemberships.read(ctx.cache, [membershipId(groupId, userId)]);
  return read!.value ? read!.value.role : askGroupRole(ctx, groupId, userId, read!);
}

/** The caller's role from groups, cached (under the read taken before asking) when a member. */
async function askGroupRole(ctx: MembershipDeps, groupId: string, userId: string, read: CachedRead<{ role: GroupRole }>): Promise<GroupRole | null> {
  const answer = await unary(ctx.groups, 'getMembership', { groupId, userId }, grpcOptions(ctx));
  if (!answer.isMember) return null;
  const role = roleOf(answer.role);
  await groupMemberships.write(ctx.cache, [{ id: membershipId(groupId, userId), value: { role }, read }]);
  // A membership we did not know of: the user's cached group list may predate it.
  await userGroups.invalidate(ctx.cache, [userId]);
  return role;
}

/**
 * The caller's role asked of groups afresh (then cached), for a refusal a cached role would
 * decide: a promotion whose event has not arrived yet must not be refused from the older role
 * (the same rule as for membership: never refused from a stale "no").
 */
export async function currentGroupRole(ctx: MembershipDeps, groupId: string, userId: string): Promise<GroupRole | null> {
  const id = membershipId(groupId, userId);
  const [read] = await groupMemberships.read(ctx.cache, [id]);
  const role = await askGroupRole(ctx, groupId, userId, read!);
  // No longer a member: the cached "yes" must not outlive the answer.
  if (!role) await groupMemberships.invalidate(ctx.cache, [id]);
  return role;
}

type GroupMember = { userId: string; role: GroupRole };

/** A group's members with their roles, cached; empty for an unknown group. */
export async function groupMembers(ctx: MembershipDeps, groupId: string): Promise<GroupMember[]> {
  const [read] = await groupMemberLists.read(ctx.cache, [groupId]);
  return read!.value ?? loadGroupMembers(ctx, groupId, read!);
}

/** A group's members as the cache holds them, without asking groups (a send reads them with its other cache reads). */
export async function cachedGroupMembers(ctx: Pick<MessagesContext, 'cache'>, groupId: string): Promise<CachedRead<GroupMember[]>> {
  return (await groupMemberLists.read(ctx.cache, [groupId]))[0]!;
}

/** A group's members from groups, then cached under the read taken before; empty for an unknown group. */
export async function loadGroupMembers(ctx: MembershipDeps, groupId: string, read: CachedRead<GroupMember[]>): Promise<GroupMember[]> {
  let members: GroupMember[];
  try {
    members = await askGroupMembers(ctx, groupId);
  } catch (error) {
    if ((error as Partial<AppError>).httpStatus === 404) return [];
    throw error;
  }
  await groupMemberLists.write(ctx.cache, [{ id: groupId, value: members, read }]);
  return members;
}

async function askGroupMembers(ctx: MembershipDeps, groupId: string): Promise<GroupMember[]> {
  const answer = await unary(ctx.groups, 'listMembers', { groupId }, grpcOptions(ctx));
  return answer.members.map((m) => ({ userId: m.userId, role: roleOf(m.role) }));
}

/**
 * Reads a new group's members from groups once, off the send path, and caches them with each
 * member's answer: the first message in a new group (a new direct-like room of two, most of all)
 * then costs no gRPC call. The same read the first send would make, only earlier: the answers are
 * written under reads taken before asking (for the members group.created named), so a removal
 * that lands meanwhile wins.
 */
export async function warmGroupMembership(ctx: MembershipDeps, groupId: string, memberIds: readonly string[]): Promise<void> {
  const ids = memberIds.map((userId) => membershipId(groupId, userId));
  const [listRead, answerReads] = await Promise.all([cachedGroupMembers(ctx, groupId), groupMemberships.read(ctx.cache, ids)]);
  const readOf = new Map(ids.map((id, i) => [id, answerReads[i]!]));
  const members = await loadGroupMembers(ctx, groupId, listRead);
  await groupMemberships.write(
    ctx.cache,
    members.flatMap((m) => {
      const read = readOf.get(membershipId(groupId, m.userId));
      return read ? [{ id: membershipId(groupId, m.userId), value: { role: m.role }, read }] : [];
    }),
  );
}

/** The ids of every group the user belongs to, cached. */
export async function userGroupIds(ctx: MembershipDeps, userId: string): Promise<string[]> {
  const ids = await userGroups.get(ctx.cache, userId, async () => (await unary(ctx.groups, 'listUserGroups', { userId }, grpcOptions(ctx))).groupIds);
  return ids ?? [];
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
  const { row, created } = await ctx.db.transaction(async (tx) => {
    const inserted = await insertGroupConversation(tx, { id: groupId });
    if (inserted) {
      await emit(tx, 'conversation.created', { conversation: presentConversation(inserted), memberIds });
      return { row: inserted, created: true };
    }
    const found = await findConversation(tx, groupId);
    if (!found) throw new Error(`group conversation ${groupId} neither inserted nor found`);
    return { row: found, created: false };
  });
  if (created) ctx.outbox.notify();
  return row;
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
  const key = membershipId(id, userId);
  const raw = await ctx.cache.getMany<unknown>([...directMembers.readKeys(key), ...groupMemberships.readKeys(key)]);
  if (directMembers.decode(raw.slice(0, 2)).value) return { type: 'direct', role: null };
  const group = groupMemberships.decode(raw.slice(2)).value;
  if (group) return { type: 'group', role: roleOf(group.role) };
  return undefined;
}

/** assertMember, then a direct membership is cached for good (it never changes). */
async function assertMemberAndRemember(ctx: MembershipDeps, id: string, userId: string): Promise<Membership> {
  const membership = await assertMember(ctx, id, userId);
  if (membership.conversation.type === 'direct') await directMembers.put(ctx.cache, membershipId(id, userId), true);
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
