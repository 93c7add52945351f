import { groupRoleSchema, type GroupRole, type groupsV1 } from '@parley/contracts';
import { cached, type Cached, type CachedRead } from '../cache/cached.ts';
import { isAppError } from '../errors.ts';
import { unary, type UnaryOptions } from '../grpc/client.ts';
import type { Cache } from '../ports.ts';

/**
 * The groups service as the other services read it: memberships, member lists and a user's
 * groups over gRPC, cached with the kit's `cached` (so an answer read before a change is never
 * written back after the change's invalidation). The one place a service asks groups who is
 * in a group; each service keeps its own entries (`<service>:...`) and invalidates them from
 * its own group.* consumer.
 *
 * Only positive membership answers are cached: someone just added to a group (or who just
 * created it) is asked about afresh, never refused from a stale "no".
 */
export interface GroupMember {
  userId: string;
  role: GroupRole;
}

export interface CachedGroupsOptions {
  cache: Cache;
  groups: groupsV1.GroupsClient;
  /** The owning service: its entries are `<service>:membership:...`, `<service>:members:...`, `<service>:user-groups:...`. */
  service: string;
  /** How long entries may stay (invalidations remove them; this only bounds memory). Default 3600. */
  ttlSeconds?: number;
  /** How its calls (all reads, so retried) go: the deadline defaults to the gRPC client's (from config). */
  call?: Pick<UnaryOptions, 'deadlineMs' | 'logger'>;
}

export interface CachedGroups {
  /** A member's role by `membershipId(groupId, userId)`; exposed to read with other keys in one round trip. */
  readonly memberships: Cached<{ role: GroupRole }>;
  /** A group's members by group id. */
  readonly memberLists: Cached<GroupMember[]>;
  /** The ids of a user's groups, by user id. */
  readonly userGroups: Cached<string[]>;
  /** The caller's role, or null when not a member (also for an unknown group). */
  role(groupId: string, userId: string): Promise<GroupRole | null>;
  /** The role asked of groups afresh (then cached; a cached "yes" dropped when no longer a member). */
  currentRole(groupId: string, userId: string): Promise<GroupRole | null>;
  /** A group's members, cached; undefined for an unknown group (not cached, so made-up ids fill nothing). */
  members(groupId: string): Promise<GroupMember[] | undefined>;
  /** A group's members asked of groups and written back under `read` (taken before, e.g. with a send's other reads). */
  loadMembers(groupId: string, read: CachedRead<GroupMember[]>): Promise<GroupMember[] | undefined>;
  /**
   * A new group's members and each member's answer, read once off the request path, so the
   * group's first request asks groups nothing. Answers are written under reads taken before
   * asking, for the members the creation named: a removal landing meanwhile wins.
   */
  warm(groupId: string, memberIds: readonly string[]): Promise<void>;
  /** The ids of every group the user belongs to, cached. */
  userGroupIds(userId: string): Promise<string[]>;
  /** After a membership change: the group's member list, the named users' answers and group lists. */
  forget(groupId: string, change: { memberships?: readonly string[]; userGroups?: readonly string[] }): Promise<void>;
  /** Drops every cached answer of a group whose members nobody can name any more (a deleted group). */
  forgetAllMemberships(groupId: string): Promise<void>;
}

export const membershipId = (groupId: string, userId: string): string => `${groupId}:${userId}`;

const roleOf = (role: string | undefined): GroupRole => {
  const parsed = groupRoleSchema.safeParse(role);
  return parsed.success ? parsed.data : 'member';
};

const isNotFound = (error: unknown): boolean => isAppError(error) && error.code === 'not_found';

/** The cached things of a service's groups cache: the keys, for tests and for reads taken with other keys. */
export function groupsCacheEntries(service: string, ttlSeconds = 3600): Pick<CachedGroups, 'memberships' | 'memberLists' | 'userGroups'> {
  return {
    memberships: cached<{ role: GroupRole }>({ name: `${service}:membership`, ttlSeconds }),
    memberLists: cached<GroupMember[]>({ name: `${service}:members`, ttlSeconds }),
    userGroups: cached<string[]>({ name: `${service}:user-groups`, ttlSeconds }),
  };
}

export function createCachedGroups(options: CachedGroupsOptions): CachedGroups {
  const { cache, groups, service } = options;
  const call: UnaryOptions = { ...options.call, idempotent: true };
  const { memberships, memberLists, userGroups } = groupsCacheEntries(service, options.ttlSeconds);

  const askRole = async (groupId: string, userId: string, read: CachedRead<{ role: GroupRole }>): Promise<GroupRole | null> => {
    const answer = await unary(groups, 'getMembership', { groupId, userId }, call);
    if (!answer.isMember) return null;
    const role = roleOf(answer.role);
    await memberships.write(cache, [{ id: membershipId(groupId, userId), value: { role }, read }]);
    // A membership we did not know of: the user's cached group list may predate it.
    await userGroups.invalidate(cache, [userId]);
    return role;
  };

  const readOne = async <V>(thing: Cached<V>, id: string): Promise<CachedRead<V>> => (await thing.read(cache, [id]))[0]!;

  const loadMembers = async (groupId: string, read: CachedRead<GroupMember[]>): Promise<GroupMember[] | undefined> => {
    let members: GroupMember[];
    try {
      const answer = await unary(groups, 'listMembers', { groupId }, call);
      members = answer.members.map((m) => ({ userId: m.userId, role: roleOf(m.role) }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    await memberLists.write(cache, [{ id: groupId, value: members, read }]);
    return members;
  };

  return {
    memberships,
    memberLists,
    userGroups,
    async role(groupId, userId) {
      const read = await readOne(memberships, membershipId(groupId, userId));
      return read.value ? read.value.role : askRole(groupId, userId, read);
    },
    async currentRole(groupId, userId) {
      const id = membershipId(groupId, userId);
      const role = await askRole(groupId, userId, await readOne(memberships, id));
      if (!role) await memberships.invalidate(cache, [id]);
      return role;
    },
    async members(groupId) {
      const read = await readOne(memberLists, groupId);
      return read.value ?? loadMembers(groupId, read);
    },
    loadMembers,
    async warm(groupId, memberIds) {
      const ids = memberIds.map((userId) => membershipId(groupId, userId));
      const [listRead, answerReads] = await Promise.all([readOne(memberLists, groupId), memberships.read(cache, ids)]);
      const readOf = new Map(ids.map((id, i) => [id, answerReads[i]!]));
      const members = (await loadMembers(groupId, listRead)) ?? [];
      await memberships.write(
        cache,
        members.flatMap((m) => {
          const id = membershipId(groupId, m.userId);
          const read = readOf.get(id);
          return read ? [{ id, value: { role: m.role }, read }] : [];
        }),
      );
    },
    async userGroupIds(userId) {
      return (await userGroups.get(cache, userId, async () => (await unary(groups, 'listUserGroups', { userId }, call)).groupIds)) ?? [];
    },
    async forget(groupId, change) {
      await Promise.all([
        memberLists.invalidate(cache, [groupId]),
        memberships.invalidate(
          cache,
          (change.memberships ?? []).map((userId) => membershipId(groupId, userId)),
        ),
        userGroups.invalidate(cache, change.userGroups ?? []),
      ]);
    },
    async forgetAllMemberships(groupId) {
      // No names, so no stamps: an answer read before this and written back after it could
      // survive. Only for a deleted group, where a stale "yes" meets a conversation that is gone.
      await cache.delPrefix(memberships.key(membershipId(groupId, '')));
    },
  };
}
