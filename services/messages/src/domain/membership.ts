import type { GroupRole } from '@parley/contracts';
import { cached, groupsCacheEntries, isUuid, membershipId, notFound, type Cached, type CachedRead, type GroupMember } from '@parley/kit';
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
export { membershipId } from '@parley/kit';

/**
 * Who belongs to which conversation. Direct conversations: our own conversation_members.
 * Group conversations (id = the group's id): the groups service over gRPC, cached here and
 * invalidated by the group.* consumer (events/group-events.ts), so a removal takes effect on
 * the first request after its event arrives; through the kit's `cached`, so an answer read just
 * before a removal is never written back after it. Only positive answers are cached: someone
 * just added to a group (or who just created it) is asked about afresh, never refused from a
 * stale "no".
 */

/** The groups cache's entries (the kit's cached groups client, ctx.groupsCache, reads and writes them). */
export const { memberships: groupMemberships, memberLists: groupMemberLists, userGroups } = groupsCacheEntries('messages');
/** A direct conversation's members never change: a "yes" (by `membershipId(conversationId, userId)`) is never invalidated. */
export const directMembers = cached<true>({ name: 'messages:direct-member', ttlSeconds: 3600, immutable: true });

type MembershipDeps = Pick<MessagesContext, 'db' | 'cache' | 'groupsCache' | 'outbox'>;

/** A group's members with their roles; empty for an unknown group. */
export async function groupMembers(ctx: Pick<MessagesContext, 'groupsCache'>, groupId: string): Promise<GroupMember[]> {
  return (await ctx.groupsCache.members(groupId)) ?? [];
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
  const role = await ctx.groupsCache.role(conversationId, userId);
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

/** What the cache says of a user in a conversation: a direct member, a group role (or nothing known: a miss). */
export type CachedMembership = { type: 'direct'; role: null } | { type: 'group'; role: GroupRole };

const DIRECT_KEYS = directMembers.readKeys('').length;
/**
 * The cache's answer on one membership (by membershipId), as one read of both places it can be:
 * a direct "yes" (kept for good), then a group role (invalidated by group events). Only read,
 * never written back through: each place is written by its own cached thing.
 */
export const cachedMemberships: Pick<Cached<CachedMembership>, 'readKeys' | 'decode'> = {
  readKeys: (key) => [...directMembers.readKeys(key), ...groupMemberships.readKeys(key)],
  decode(raw) {
    const group = groupMemberships.decode(raw.slice(DIRECT_KEYS));
    const value: CachedMembership | undefined = directMembers.decode(raw.slice(0, DIRECT_KEYS)).value
      ? { type: 'direct', role: null }
      : group.value
        ? { type: 'group', role: group.value.role }
        : undefined;
    return { ...group, value };
  },
};

async function cachedMembership(ctx: MembershipDeps, id: string, userId: string): Promise<CachedMembership | undefined> {
  return cachedMemberships.decode(await ctx.cache.getMany<unknown>(cachedMemberships.readKeys(membershipId(id, userId)))).value;
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
export async function assertSender(
  ctx: MembershipDeps,
  conversationId: string,
  userId: string,
  /** The cache's answer, when it was read already (with the session: sendersMembership). */
  read?: CachedRead<CachedMembership>,
): Promise<SendAccess> {
  if (!isUuid(conversationId)) throw notFound('conversation');
  const id = conversationId.toLowerCase();
  const cached = read ? read.value : await cachedMembership(ctx, id, userId);
  if (cached) return { conversation: { id, type: cached.type }, role: cached.role, userId } as SendAccess;
  return assertMemberAndRemember(ctx, id, userId);
}

/**
 * Every conversation id the user belongs to: their direct conversations and their groups'
 * conversations (from ListUserGroups, cached), minus deleted groups. Search scopes by it.
 */
export async function memberConversationIds(ctx: MembershipDeps, userId: string): Promise<string[]> {
  const [direct, groups] = await Promise.all([listDirectConversationIds(ctx.db, userId), ctx.groupsCache.userGroupIds(userId)]);
  const deleted = new Set((await existingConversationIds(ctx.db, groups)).filter((c) => c.deleted).map((c) => c.id));
  return [...new Set([...direct, ...groups.filter((id) => !deleted.has(id))])];
}

/** Everyone who belongs to the conversation now: the direct pair or the group's members. */
export async function conversationMemberIds(ctx: MembershipDeps, conversation: ConversationRef): Promise<string[]> {
  if (conversation.type === 'direct') return listDirectMemberIds(ctx.db, conversation.id);
  return (await groupMembers(ctx, conversation.id)).map((m) => m.userId);
}
