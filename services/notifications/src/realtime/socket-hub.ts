import type { Logger, PubSub } from '@parley/kit';
import { TRACE, untrace, userChannel } from '../domain/channels.ts';
import type { Presence } from '../domain/presence.ts';
import { encodeTextFrame } from './text-frame.ts';
import type { WsMetrics } from './ws-metrics.ts';

/** What the hub needs of an authenticated socket. */
export interface HubSocket {
  readonly userId: string;
  readonly sessionId: string;
  /** Writes one encoded WebSocket frame (encodeTextFrame; the same bytes for every socket it goes to). */
  deliver(frame: Buffer): void;
  close(code: number, reason: string): void;
}

interface UserEntry {
  sockets: Set<HubSocket>;
  /** The pub/sub subscription of this entry; resolves to its unsubscribe function. */
  subscribed: Promise<() => Promise<void>>;
}

export interface SocketHub {
  /** Adds an authenticated socket; resolves once its user's channel is subscribed, so nothing published afterwards is missed. */
  attach(socket: HubSocket): Promise<void>;
  detach(socket: HubSocket): void;
  /** Users with at least one socket here. */
  userCount(): number;
  /** Unsubscribes every channel (after the sockets were closed). */
  stop(): Promise<void>;
}

const REVOKE = '!revoke:';

/**
 * This instance's sockets by user. The first socket of a user subscribes to `user:<id>`; the
 * last one to close unsubscribes. A frame arriving there is encoded once, as a complete WebSocket
 * frame, and those bytes are written to every socket of the user (all their devices and tabs).
 */
export function createSocketHub(options: { pubsub: PubSub; presence: Presence; logger: Logger; metrics: WsMetrics }): SocketHub {
  const { pubsub, presence, logger, metrics } = options;
  const users = new Map<string, UserEntry>();

  // Each entry handles only its own messages: after a user's last socket closed and a new one
  // opened, the old subscription (being removed) must not deliver to the new sockets too.
  const handle = (entry: UserEntry, message: string, userId: string): void => {
    if (message.startsWith(REVOKE)) {
      const sessionId = message.slice(REVOKE.length);
      for (const socket of [...entry.sockets]) if (socket.sessionId === sessionId) socket.close(4001, 'The session has ended.');
      return;
    }
    const traced = message.startsWith(TRACE) ? untrace(message) : undefined;
    const text = traced ? traced.frame : message;
    if (!text.startsWith('{') || entry.sockets.size === 0) return;
    const frame = encodeTextFrame(text);
    for (const socket of entry.sockets) socket.deliver(frame);
    if (!traced) return;
    metrics.delivered(traced.committedAt);
    // Per frame, so at debug only: with the request id, one grep follows a message to its sockets.
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ requestId: traced.requestId, userId, sockets: entry.sockets.size, latencyMs: Date.now() - traced.committedAt }, 'frame delivered');
    }
  };

  const detach = (socket: HubSocket): void => {
    const entry = users.get(socket.userId);
    if (!entry?.sockets.delete(socket)) return;
    presence.setLocalCount(socket.userId, entry.sockets.size);
    if (entry.sockets.size > 0) return;
    users.delete(socket.userId);
    void entry.subscribed
      .then((unsubscribe) => unsubscribe())
      .catch((err: unknown) => logger.warn({ err, userId: socket.userId }, 'unsubscribing a user channel failed'));
  };

  return {
    async attach(socket) {
      let entry = users.get(socket.userId);
      if (!entry) {
        const created: UserEntry = { sockets: new Set(), subscribed: Promise.resolve(async () => undefined) };
        const { userId } = socket;
        created.subscribed = pubsub.subscribe(userChannel(userId), (message) => handle(created, message, userId));
        users.set(socket.userId, created);
        entry = created;
      }
      entry.sockets.add(socket);
      presence.setLocalCount(socket.userId, entry.sockets.size);
      try {
        await entry.subscribed;
      } catch (error) {
        if (users.get(socket.userId) === entry) users.delete(socket.userId);
        entry.sockets.delete(socket);
        presence.setLocalCount(socket.userId, entry.sockets.size);
        throw error;
      }
    },
    detach,
    userCount: () => users.size,
    async stop() {
      const entries = [...users.values()];
      users.clear();
      await Promise.allSettled(entries.map(async (entry) => (await entry.subscribed)()));
    },
  };
}
