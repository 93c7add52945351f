import { userStatusSchema, type accountsV1, type PresenceFrameData, type UserStatus } from '@parley/contracts';
import { every, unary, type Cache, type Db, type Every, type Logger, type PubSub, type RelayWaker } from '@parley/kit';
import { listDirectPartners } from '../db/conversation.repository.ts';
import { listShownUsers } from '../db/shown-presence.repository.ts';
import { presentFrame } from '../presenters/frame.presenter.ts';
import { publishToUsers } from './channels.ts';
import type { ConversationDirectory } from './conversation-directory.ts';
import { createShownPresence, shownStatusOf, type ShownChange, type ShownState } from './shown-presence.ts';
import { createWatchers } from './watchers.ts';

/**
 * Presence: who is connected (Cache and pub/sub) and what others are shown of them (the
 * database's shown_presence, the one source of truth, docs/presence.md):
 *
 * - every instance keeps, per user it holds sockets of, a key `presence:<user>:<instance>` with
 *   its socket count (written on every change, deleted at zero, TTL-refreshed periodically so an
 *   instance that dies stops counting within the key's TTL);
 * - instances announce themselves on a pub/sub channel, so each knows which instances are alive
 *   and asks only their keys: a user is connected while any live instance counts a socket;
 * - shown_presence records what others were told (online, away, dnd, hidden), so a second tab or
 *   a reconnect within the grace period announces nothing; each change others can see is written
 *   with a `presence.changed` event (accounts shows it on profiles) and sent as `presence` frames;
 * - a sweep repairs what a crash or a Redis outage left wrong: users with sockets here but no
 *   record are announced, recorded users no live instance has counted for the grace period are
 *   made offline. While Redis is away (and a while after), nobody is made offline: the record
 *   keeps the last known presence.
 *
 * Announcements go only to the user's watchers — those who share a conversation with the user
 * (direct partners and members of their groups up to PRESENCE_MAX_GROUP_MEMBERS) and those who
 * have the user as a contact (accounts, cached) — AND are online themselves: a presence change
 * never costs more publishes than there are connected people to tell.
 */
export interface Presence {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The socket hub reports how many sockets of the user this instance holds now. */
  setLocalCount(userId: string, count: number): void;
  /** Which of these users have at least one open socket on any instance. */
  onlineUsers(userIds: readonly string[]): Promise<Set<string>>;
  isOnline(userId: string): Promise<boolean>;
  /** What others see of each user (the record): their status while connected, `offline` otherwise. */
  statusOf(userIds: readonly string[]): Promise<PresenceFrameData[]>;
  /** accounts' user.status_changed: tell the audience if the user is connected. */
  statusChanged(userId: string, status: UserStatus, text?: string): Promise<void>;
  /**
   * accounts' contact.added / contact.removed: `userId` starts or stops watching `contactId`.
   * A new watcher is told the contact's current presence at once.
   */
  contactChanged(userId: string, contactId: string, added: boolean): Promise<void>;
}

export interface PresenceOptions {
  instanceId: string;
  db: Db;
  cache: Cache;
  pubsub: PubSub;
  logger: Logger;
  directory: ConversationDirectory;
  accounts: accountsV1.UsersClient;
  /** The outbox relay, woken after a commit of presence.changed events (shown-presence.ts). */
  outbox: RelayWaker;
  graceSeconds: number;
  maxGroupMembers: number;
  /** How often this instance says it is alive. Default 10 s. */
  announceMs?: number;
  /** How often the record is checked against the connections (the sweep). Default 30 s. */
  sweepMs?: number;
}

const INSTANCES_CHANNEL = 'notifications:instances';
const countKey = (userId: string, instanceId: string): string => `notifications:presence:${userId}:${instanceId}`;
const MAX_PARTNERS = 5000;
const KEY_CHUNK = 1000;

function stateOf(status: UserStatus): ShownState {
  switch (status) {
    case 'invisible':
    case 'offline':
      return 'hidden';
    case 'online':
    case 'away':
    case 'dnd':
      return status;
  }
}

export function createPresence(options: PresenceOptions): Presence {
  const { instanceId, db, cache, pubsub, logger, directory } = options;
  const watchers = createWatchers({ accounts: options.accounts, cache, logger });
  const shown = createShownPresence({ db, outbox: options.outbox });
  const announceMs = options.announceMs ?? 10_000;
  const sweepMs = options.sweepMs ?? 30_000;
  const graceMs = options.graceSeconds * 1000;
  /** Keys of this instance live this long without a refresh (a crashed instance stops counting). */
  const keyTtlSeconds = Math.ceil((announceMs * 9) / 1000);
  /** Peers not heard from for this long are taken for dead. */
  const peerTimeoutMs = announceMs * 3.5;
  /**
   * After Redis was away, counts and peers are incomplete until every live instance has rewritten
   * its keys (every 3 periods) and announced itself: two rounds of that pass before anyone is
   * judged offline again.
   */
  const settleMs = announceMs * 6;

  const local = new Map<string, number>();
  const peers = new Map<string, number>();
  const offlineTimers = new Map<string, NodeJS.Timeout>();
  /** Changes of one user on this instance, in order: a late "1" must not overwrite a later delete. */
  const writes = new Map<string, Promise<void>>();
  /** Recorded users no live instance counts, and since when (the sweep's suspects). */
  const uncountedSince = new Map<string, number>();
  let ticker: Every | undefined;
  let sweeper: Every | undefined;
  let ticks = 0;
  let lastRedisTroubleAt = 0;
  let unsubscribe: (() => Promise<void>) | undefined;
  let stopped = false;

  /** Whether Redis has been answering long enough for "not counted" to mean "not connected". */
  const settled = (): boolean => {
    if (cache.degraded() || pubsub.degraded()) lastRedisTroubleAt = Date.now();
    return Date.now() - lastRedisTroubleAt >= settleMs;
  };

  const inOrder = (userId: string, fn: () => Promise<void>): Promise<void> => {
    const next = (writes.get(userId) ?? Promise.resolve()).then(fn).catch((err: unknown) => {
      logger.warn({ err, userId }, 'presence update failed');
    });
    writes.set(userId, next);
    void next.finally(() => {
      if (writes.get(userId) === next) writes.delete(userId);
    });
    return next;
  };

  const livePeers = (): string[] => {
    const now = Date.now();
    const live: string[] = [];
    for (const [id, heard] of peers) {
      if (now - heard <= peerTimeoutMs) live.push(id);
      else peers.delete(id);
    }
    return live;
  };

  const onlineUsers = async (userIds: readonly string[]): Promise<Set<string>> => {
    const online = new Set<string>();
    const unknown: string[] = [];
    for (const userId of new Set(userIds)) {
      if ((local.get(userId) ?? 0) > 0) online.add(userId);
      else unknown.push(userId);
    }
    const others = livePeers();
    if (unknown.length === 0 || others.length === 0) return online;
    const pairs = unknown.flatMap((userId) => others.map((peer) => [userId, countKey(userId, peer)] as const));
    for (let start = 0; start < pairs.length; start += KEY_CHUNK) {
      const chunk = pairs.slice(start, start + KEY_CHUNK);
      const counts = await cache.getMany<number>(chunk.map(([, key]) => key));
      counts.forEach((count, i) => {
        if ((count ?? 0) > 0) online.add(chunk[i]![0]);
      });
    }
    return online;
  };

  const audienceOf = async (userId: string): Promise<string[]> => {
    const audience = new Set<string>();
    const groupIds = await directory.groupsOf(userId).catch((err: unknown) => {
      logger.warn({ err, userId }, "presence: the user's groups are unavailable; telling direct partners only");
      return [];
    });
    const memberLists = await Promise.all(groupIds.map((groupId) => directory.groupMembers(groupId).catch(() => undefined)));
    for (const members of memberLists) {
      if (members && members.length <= options.maxGroupMembers) members.forEach((id) => audience.add(id));
    }
    for (const partner of await listDirectPartners(options.db, userId, MAX_PARTNERS)) audience.add(partner);
    for (const watcher of await watchers.of(userId)) audience.add(watcher);
    audience.delete(userId);
    return [...audience];
  };

  const broadcast = async (data: PresenceFrameData): Promise<void> => {
    const audience = await audienceOf(data.userId);
    const online = await onlineUsers(audience);
    await publishToUsers(pubsub, online, presentFrame({ type: 'presence', data }));
  };

  /** Tells the audience when what they see of the user changed. */
  const announceChange = async (userId: string, change: ShownChange): Promise<void> => {
    if (change.before !== change.after) await broadcast({ userId, status: change.after });
  };

  /**
   * The status the user chose at accounts (`chosenStatus`; accounts older than it send only the
   * public `status`, where `offline` means invisible). Online when accounts does not answer.
   */
  const chosenState = async (userId: string): Promise<ShownState> => {
    try {
      const { users } = await unary(options.accounts, 'getUsers', { ids: [userId] }, { deadlineMs: 1000, retries: 1 });
      const parsed = userStatusSchema.safeParse(users[0]?.chosenStatus || users[0]?.status);
      return parsed.success ? stateOf(parsed.data) : 'online';
    } catch (err) {
      logger.warn({ err, userId }, "presence: accounts did not say the user's status; assuming online");
      return 'online';
    }
  };

  const announceOnline = async (userId: string): Promise<void> => {
    // Already recorded: another tab, another instance, or a reconnect within the grace period.
    if ((await shown.statesOf([userId])).has(userId)) return;
    const state = await chosenState(userId);
    await announceChange(userId, await shown.change(userId, (before) => before ?? state));
  };

  const checkOffline = async (userId: string): Promise<void> => {
    // While Redis is (or just was) away, "not counted" proves nothing: the sweep decides later.
    if (stopped || (local.get(userId) ?? 0) > 0 || !settled() || (await onlineUsers([userId])).has(userId)) return;
    await announceChange(userId, await shown.change(userId, () => undefined));
  };

  /** Re-writes this instance's keys before they expire. */
  const refresh = async (): Promise<void> => {
    const entries = [...local];
    for (let start = 0; start < entries.length; start += KEY_CHUNK) {
      const chunk = entries.slice(start, start + KEY_CHUNK);
      await Promise.all(chunk.map(([userId, count]) => cache.set(countKey(userId, instanceId), count, keyTtlSeconds)));
    }
  };

  /** Users with sockets here but no record (connected while it could not be written): announce them. */
  const announceUnrecorded = async (): Promise<void> => {
    const userIds = [...local.keys()];
    for (let start = 0; start < userIds.length; start += KEY_CHUNK) {
      const chunk = userIds.slice(start, start + KEY_CHUNK);
      const recorded = await shown.statesOf(chunk);
      for (const userId of chunk) {
        if (!recorded.has(userId) && (local.get(userId) ?? 0) > 0) await inOrder(userId, () => announceOnline(userId));
      }
    }
  };

  /**
   * Recorded users of this instance's share that no live instance has counted for the grace
   * period (their instance crashed or stopped, or their offline was skipped during an outage):
   * made offline.
   */
  const retireUncounted = async (): Promise<void> => {
    const instances = [instanceId, ...livePeers()].sort();
    const part = { index: instances.indexOf(instanceId), count: instances.length };
    const now = Date.now();
    const suspects = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const userIds = await listShownUsers(db, part, { after, limit: KEY_CHUNK });
      const counted = await onlineUsers(userIds);
      for (const userId of userIds) {
        if (counted.has(userId)) continue;
        suspects.add(userId);
        const since = uncountedSince.get(userId) ?? now;
        uncountedSince.set(userId, since);
        if (now - since >= graceMs) await inOrder(userId, () => checkOffline(userId));
      }
      if (userIds.length < KEY_CHUNK) break;
      after = userIds.at(-1);
    }
    for (const userId of uncountedSince.keys()) if (!suspects.has(userId)) uncountedSince.delete(userId);
  };

  const sweep = async (): Promise<void> => {
    if (stopped) return;
    if (!settled()) {
      uncountedSince.clear();
      return;
    }
    await announceUnrecorded();
    await retireUncounted();
  };

  const tick = (): void => {
    ticks += 1;
    settled(); // notes a Redis outage even when no presence change happens during it
    void pubsub.publish(INSTANCES_CHANNEL, `alive:${instanceId}`).catch((err: unknown) => logger.warn({ err }, 'presence: announcing this instance failed'));
    // Keys live 9 announce periods; refreshing every 3 leaves room for two missed rounds.
    if (ticks % 3 === 0) void refresh().catch((err: unknown) => logger.warn({ err }, 'presence: refreshing keys failed'));
  };

  return {
    async start() {
      unsubscribe = await pubsub.subscribe(INSTANCES_CHANNEL, (message) => {
        const [kind, id] = message.split(':', 2);
        if (!id || id === instanceId) return;
        if (kind === 'bye') peers.delete(id);
        else peers.set(id, Date.now());
        // A newcomer says hello: answer at once so it need not wait a whole period to know us.
        if (kind === 'hello') void pubsub.publish(INSTANCES_CHANNEL, `alive:${instanceId}`).catch(() => undefined);
      });
      await pubsub.publish(INSTANCES_CHANNEL, `hello:${instanceId}`);
      // Each instance for itself: its own announcements and keys, and its share of the record.
      ticker = every(announceMs, tick, { logger, what: 'presence: announcing this instance' });
      sweeper = every(sweepMs, sweep, { logger, what: 'presence: the sweep' });
    },

    async stop() {
      stopped = true;
      await Promise.all([ticker?.stop(), sweeper?.stop()]);
      for (const timer of offlineTimers.values()) clearTimeout(timer);
      offlineTimers.clear();
      await Promise.allSettled([...writes.values()]);
      // Sockets are gone: this instance counts nobody any more.
      await Promise.allSettled([...local.keys()].map((userId) => cache.del(countKey(userId, instanceId))));
      local.clear();
      await pubsub.publish(INSTANCES_CHANNEL, `bye:${instanceId}`).catch(() => undefined);
      await unsubscribe?.();
    },

    setLocalCount(userId, count) {
      const before = local.get(userId) ?? 0;
      if (count > 0) local.set(userId, count);
      else local.delete(userId);
      if (stopped) return;
      void inOrder(userId, async () => {
        if (count > 0) await cache.set(countKey(userId, instanceId), count, keyTtlSeconds);
        else await cache.del(countKey(userId, instanceId));
        if (before === 0 && count > 0) await announceOnline(userId);
      });
      if (count > 0) {
        clearTimeout(offlineTimers.get(userId));
        offlineTimers.delete(userId);
      } else if (before > 0 && !offlineTimers.has(userId)) {
        const timer = setTimeout(() => {
          if (offlineTimers.get(userId) === timer) offlineTimers.delete(userId);
          void inOrder(userId, () => checkOffline(userId));
        }, options.graceSeconds * 1000);
        timer.unref();
        offlineTimers.set(userId, timer);
      }
    },

    onlineUsers,

    async isOnline(userId) {
      return (await onlineUsers([userId])).has(userId);
    },

    async statusOf(userIds) {
      const unique = [...new Set(userIds)];
      const states = await shown.statesOf(unique);
      return unique.map((userId) => ({ userId, status: shownStatusOf(states.get(userId)) }));
    },

    async statusChanged(userId, status, text) {
      // Connected by the record, or by the counts (announced, or about to be): the new status shows.
      const counted = (await onlineUsers([userId])).has(userId);
      const change = await shown.change(userId, (before) => (before !== undefined || counted ? stateOf(status) : before));
      // Unchanged but visible (a new text, or the same status again): told all the same, with the text.
      if (change.before === 'offline' && change.after === 'offline') return;
      await broadcast({ userId, status: change.after, ...(text && change.after !== 'offline' ? { text } : {}) });
    },

    async contactChanged(userId, contactId, added) {
      await watchers.invalidate(contactId);
      if (!added) return;
      const status = shownStatusOf((await shown.statesOf([contactId])).get(contactId));
      if (status === 'offline') return;
      await publishToUsers(pubsub, [userId], presentFrame({ type: 'presence', data: { userId: contactId, status } }));
    },
  };
}
