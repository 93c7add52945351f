import type { groupsV1 } from '@parley/contracts';
import { createCachedGroups, type Cache, type Db, type Logger } from '@parley/kit';
import { findConversation, recordConversation, type ConversationKind } from '../db/conversation.repository.ts';

export interface ConversationMembers {
  kind: ConversationKind;
  memberIds: string[];
}

/** An event names a conversation this service has not heard of yet: retrying later may help. */
export class UnknownConversationError extends Error {
  constructor(readonly conversationId: string) {
    super(`Unknown conversation ${conversationId}`);
    this.name = 'UnknownConversationError';
  }
}

export interface ConversationDirectory {
  /**
   * The members of a conversation. `recipients` (carried by message events) is used for direct
   * conversations, and for group ones while the groups service is unreachable. Throws
   * UnknownConversationError when nothing is known about the conversation.
   */
  membersOf(conversationId: string, recipients?: readonly string[]): Promise<ConversationMembers>;
  /** Whether a conversation is direct or a group, from memory or our database only; undefined when not known here yet. */
  kindOf(conversationId: string): Promise<ConversationKind | undefined>;
  /** Like membersOf without hints; undefined for an unknown conversation. */
  find(conversationId: string): Promise<ConversationMembers | undefined>;
  isMember(conversationId: string, userId: string): Promise<boolean>;
  /** A group's member ids (cached); undefined when the group does not exist. */
  groupMembers(groupId: string): Promise<string[] | undefined>;
  /** The cached member list only, without asking the groups service (e.g. for a deleted group). */
  cachedGroupMembers(groupId: string): Promise<string[] | undefined>;
  /** The groups a user belongs to (cached). */
  groupsOf(userId: string): Promise<string[]>;
  /** Drops cached members of a group and cached group lists of the users named. */
  invalidateGroup(groupId: string, userIds?: readonly string[]): Promise<void>;
  record(conversationId: string, kind: ConversationKind, memberIds: readonly string[]): Promise<void>;
}

export interface ConversationDirectoryOptions {
  db: Db;
  cache: Cache;
  groups: groupsV1.GroupsClient;
  logger: Logger;
  membersTtlSeconds: number;
}

const LOCAL_ENTRIES = 50_000;

/**
 * Who belongs to which conversation, without a database of memberships of our own:
 *
 * - direct conversations: their two members never change, so they are stored here once
 *   (from conversation.created or a message event's recipients) and kept in memory;
 * - group conversations (id = the group's id): members from the groups service's ListMembers,
 *   through the kit's cached groups client; group.* events invalidate them, and a list fetched
 *   before an invalidation can never be written back after it.
 */
export function createConversationDirectory(options: ConversationDirectoryOptions): ConversationDirectory {
  const { db, cache, groups, logger } = options;
  /** Kinds never change and direct members neither: safe to keep in memory, bounded. */
  const local = new Map<string, ConversationMembers>();
  const remember = (id: string, entry: ConversationMembers): void => {
    if (local.size >= LOCAL_ENTRIES) local.delete(local.keys().next().value!);
    local.set(id, entry);
  };

  const groupsCache = createCachedGroups({ cache, groups, service: 'notifications', ttlSeconds: options.membersTtlSeconds, call: { logger } });
  const idsOf = (members: readonly { userId: string }[] | undefined): string[] | undefined => members?.map((member) => member.userId);

  const cachedGroupMembers = async (groupId: string): Promise<string[] | undefined> => idsOf((await groupsCache.memberLists.read(cache, [groupId]))[0]!.value);

  const groupMembers = async (groupId: string): Promise<string[] | undefined> => idsOf(await groupsCache.members(groupId));

  const record = async (id: string, kind: ConversationKind, memberIds: readonly string[]): Promise<void> => {
    await recordConversation(db, id, kind, memberIds);
    if (kind === 'group') remember(id, { kind, memberIds: [] });
    else if (memberIds.length > 0) remember(id, { kind, memberIds: [...memberIds] });
  };

  /** What is known locally or in our database about a conversation's kind. */
  const known = async (id: string): Promise<ConversationMembers | undefined> => {
    const hit = local.get(id);
    if (hit) return hit;
    const row = await findConversation(db, id);
    if (!row) return undefined;
    const entry = { kind: row.kind, memberIds: row.member_ids };
    if (row.kind === 'group' || row.member_ids.length > 0) remember(id, entry);
    return entry;
  };

  const membersOf = async (id: string, recipients?: readonly string[]): Promise<ConversationMembers> => {
    const entry = await known(id);
    if (entry?.kind === 'direct') {
      if (entry.memberIds.length > 0) return entry;
      if (recipients?.length) {
        await record(id, 'direct', recipients);
        return { kind: 'direct', memberIds: [...recipients] };
      }
      throw new UnknownConversationError(id);
    }
    if (entry?.kind === 'group') {
      try {
        return { kind: 'group', memberIds: (await groupMembers(id)) ?? [] };
      } catch (error) {
        if (!recipients) throw error;
        logger.warn({ err: error, conversationId: id }, 'groups unreachable; using the recipients the event carries');
        return { kind: 'group', memberIds: [...recipients] };
      }
    }
    // Never heard of it: a group's conversation has the group's id.
    const members = await groupMembers(id);
    if (members) {
      await record(id, 'group', []);
      return { kind: 'group', memberIds: members };
    }
    if (recipients?.length) {
      await record(id, 'direct', recipients);
      return { kind: 'direct', memberIds: [...recipients] };
    }
    throw new UnknownConversationError(id);
  };

  const find = async (id: string): Promise<ConversationMembers | undefined> => {
    try {
      return await membersOf(id);
    } catch (error) {
      if (error instanceof UnknownConversationError) return undefined;
      throw error;
    }
  };

  return {
    membersOf,
    async kindOf(id) {
      return (await known(id))?.kind;
    },
    find,
    async isMember(id, userId) {
      return (await find(id))?.memberIds.includes(userId) ?? false;
    },
    groupMembers,
    cachedGroupMembers,
    groupsOf: (userId) => groupsCache.userGroupIds(userId),
    invalidateGroup: (groupId, userIds = []) => groupsCache.forget(groupId, { userGroups: userIds }),
    record,
  };
}
