import type { accountsV1, PresenceFrameData, UserStatus } from '@parley/contracts';
import { unary, type Cache, type Db, type Logger, type PubSub } from '@parley/kit';
import { listDirectPartners } from '../db/conversation.repository.ts';
import { presentFrame } from '../presenters/frame.presenter.ts';
import { publishToUsers } from './channels.ts';
import type { ConversationDirectory } from './conversation-directory.ts';
import { createWatchers } from './watchers.ts';

/**
 * Presence without a database, on the Cache and pub/sub:
 *
 * - every instance keeps, per user it holds sockets of, a key `presence:<user>:<instance>` with
 *   its socket count (written on every change, deleted at zero, TTL-refreshed periodically so an
 *   instance that dies stops counting within PRESENCE_KEY_TTL);
 * - instances announce themselves on a pub/sub channel, so each knows which instances are alive
 *   and asks only their keys: a user is online while any live instance counts a socket;
 * - `presence-state:<user>` remembers what others were last told (online, away, dnd, hidden),
 *   so a second tab or a reconnect within the grace period announces nothing.
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
  /** What others see of each user: their status while connected, `offline` otherwise. */
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
  graceSeconds: number;
  maxGroupMembers: number;
  /** How often this instance says it is alive. Default 10 s. */
  announceMs?: number;
}

/** Stored state: what the audience was told; `hidden` is an invisible user (shown as offline). */
type AnnouncedState = 'online' | 'away' | 'dnd' | 'hidden';

const INSTANCES_CHANNEL = 'notifications:instances';
const countKey = (userId: string, instanceId: string): string => `notifications:presence:${userId}:${instanceId}`;
const stateKey = (userId: string): string => `notifications:presence-state:${userId}`;
const MAX_PARTNERS = 5000;
const KEY_CHUNK = 1000;

function stateOf(status: UserStatus): AnnouncedState {
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

const shownStatus = (state: AnnouncedState | undefined): PresenceFrameData['status'] =>
  state === undefined || state === 'hidden' ? 'offline' : state;

export function createPresence(options: PresenceOptions): Presence {
  const { instanceId, cache, pubsub, logger, directory } = options;
  const watchers = createWatchers({ accounts: options.accounts, cache, logger });
  const announceMs = options.announceMs ?? 10_000;
  /** Keys of this instance live this long without a refresh (a crashed instance stops counting). */
  const keyTtlSeconds = Math.ceil((announceMs * 9) / 1000);
  /** Peers not heard from for this long are taken for dead. */
  const peerTimeoutMs = announceMs * 3.5;

  const local = new Map<string, number>();
  const peers = new Map<string, number>();
  const offlineTimers = new Map<string, NodeJS.Timeout>();
  /** Cache writes of one user, in order: a late "1" must not overwrite a later delete. */
  const writes = new Map<string, Promise<void>>();
  let ticker: NodeJS.Timeout | undefined;
  let ticks = 0;
  let unsubscribe: (() => Promise<void>) | undefined;
  let stopped = false;

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
      logger.warn({ err, userId }, 'presence: the user\'s groups are unavailable; telling direct partners only');
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

  /** The user's chosen status (accounts); `offline` there means invisible. Online when accounts does not answer. */
  const chosenStatus = async (userId: string): Promise<AnnouncedState> => {
    try {
      const { users } = await unary(options.accounts, 'getUsers', { ids: [userId] }, { deadlineMs: 1000, retries: 1 });
      const status = users[0]?.status;
      return status === 'online' || status === 'away' || status === 'dnd' ? status : status === 'offline' ? 'hidden' : 'online';
    } catch (err) {
      logger.warn({ err, userId }, 'presence: accounts did not say the user\'s status; assuming online');
      return 'online';
    }
  };

  const announceOnline = async (userId: string): Promise<void> => {
    if ((await cache.get<AnnouncedState>(stateKey(userId))) !== undefined) return;
    const state = await chosenStatus(userId);
    await cache.set(stateKey(userId), state, keyTtlSeconds);
    if (state !== 'hidden') await broadcast({ userId, status: state });
  };

  const checkOffline = async (userId: string): Promise<void> => {
    if (stopped || (local.get(userId) ?? 0) > 0 || (await onlineUsers([userId])).has(userId)) return;
    const state = await cache.get<AnnouncedState>(stateKey(userId));
    await cache.del(stateKey(userId));
    if (state !== undefined && state !== 'hidden') await broadcast({ userId, status: 'offline' });
  };

  /** Re-writes this instance's keys before they expire, and drops peers gone silent. */
  const refresh = async (): Promise<void> => {
    const entries = [...local];
    for (let start = 0; start < entries.length; start += KEY_CHUNK) {
      const chunk = entries.slice(start, start + KEY_CHUNK);
      await Promise.all(chunk.map(([userId, count]) => cache.set(countKey(userId, instanceId), count, keyTtlSeconds)));
      const states = await cache.getMany<AnnouncedState>(chunk.map(([userId]) => stateKey(userId)));
      await Promise.all(
        chunk.map(([userId], i) => {
          const state = states[i];
          return state ? cache.set(stateKey(userId), state, keyTtlSeconds) : Promise.resolve();
        }),
      );
    }
  };

  const tick = (): void => {
    ticks += 1;
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
      ticker = setInterval(tick, announceMs);
      ticker.unref();
    },

    async stop() {
      stopped = true;
      clearInterval(ticker);
      for (const timer of offlineTimers.values()) clearTimeout(timer);
      offlineTimers.clear();
      watchers.close();
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
      const online = await onlineUsers(unique);
      const states = await cache.getMany<AnnouncedState>(unique.map(stateKey));
      return unique.map((userId, i) => ({
        userId,
        status: online.has(userId) ? (states[i] === undefined ? 'online' : shownStatus(states[i])) : 'offline',
      }));
    },

    async statusChanged(userId, status, text) {
      if (!(await onlineUsers([userId])).has(userId)) return;
      const state = stateOf(status);
      const before = await cache.get<AnnouncedState>(stateKey(userId));
      await cache.set(stateKey(userId), state, keyTtlSeconds);
      if (state === 'hidden' && (before === undefined || before === 'hidden')) return;
      await broadcast({ userId, status: shownStatus(state), ...(text && state !== 'hidden' ? { text } : {}) });
    },

    async contactChanged(userId, contactId, added) {
      await watchers.invalidate(contactId);
      if (!added || !(await onlineUsers([userId, contactId])).has(contactId)) return;
      const state = await cache.get<AnnouncedState>(stateKey(contactId));
      if (state === 'hidden') return;
      await publishToUsers(pubsub, [userId], presentFrame({ type: 'presence', data: { userId: contactId, status: shownStatus(state ?? 'online') } }));
    },
  };
}
