import { decodeLiveDelivery, liveMessagesChannel } from '@parley/contracts';
import type { Logger, PubSub } from '@parley/kit';
import { TRACE, untrace, userChannel } from '../domain/channels.ts';
import type { Presence } from '../domain/presence.ts';
import { presentFrame } from '../presenters/frame.presenter.ts';
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
  /** Subscribes this instance to the live path of new messages; before any socket is accepted. */
  start(): Promise<void>;
  /** Adds an authenticated socket; resolves once its user's channel is subscribed, so nothing published afterwards is missed. */
  attach(socket: HubSocket): Promise<void>;
  detach(socket: HubSocket): void;
  /** Users with at least one socket here. */
  userCount(): number;
  /** Unsubscribes every channel, the live one included (after the sockets were closed). */
  stop(): Promise<void>;
}

const REVOKE = '!revoke:';

const RESYNC_SLICES = 20;

/** Agreed with the clients (docs/realtime.md): treat it exactly as a reconnect. */
const RESYNC_FRAME = encodeTextFrame(presentFrame({ type: 'resync', data: { reason: 'live-path-interrupted' } }));

/**
 * This instance's sockets by user. The first socket of a user subscribes to `user:<id>`; the
 * last one to close unsubscribes. A frame arriving there is encoded once, as a complete WebSocket
 * frame, and those bytes are written to every socket of the user (all their devices and tabs).
 *
 * New messages come another way, the live path: the messages service publishes each one once,
 * with its recipients, on the one live channel every instance subscribes to at start. The frame
 * is encoded once per message and written to the sockets held here of those recipients; an
 * instance with none of them only reads the recipient line.
 *
 * When the pub/sub subscriptions come back after their connection was lost, every socket here
 * is told to resync: what was published in between never reached it.
 */
export function createSocketHub(options: { pubsub: PubSub; presence: Presence; logger: Logger; metrics: WsMetrics; resyncSpreadMs?: number }): SocketHub {
  const { pubsub, presence, logger, metrics } = options;
  const resyncSpreadMs = options.resyncSpreadMs ?? 0;
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
    if (traced) recordDelivery(traced.committedAt, traced.requestId, userId, entry.sockets.size);
  };

  const recordDelivery = (committedAt: number, requestId: string | undefined, userId: string, sockets: number): void => {
    metrics.delivered(committedAt);
    // Per frame, so at debug only: with the request id, one grep follows a message to its sockets.
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ requestId, userId, sockets, latencyMs: Date.now() - committedAt }, 'frame delivered');
    }
  };

  const deliverLive = (message: string): void => {
    const delivery = decodeLiveDelivery(message);
    if (!delivery) return;
    let frame: Buffer | undefined;
    for (const userId of delivery.recipients) {
      const entry = users.get(userId);
      if (!entry || entry.sockets.size === 0) continue;
      frame ??= encodeTextFrame(delivery.frame);
      for (const socket of entry.sockets) socket.deliver(frame);
      if (delivery.committedAt !== undefined) recordDelivery(delivery.committedAt, delivery.requestId, userId, entry.sockets.size);
    }
  };
  let unsubscribeLive: (() => Promise<void>) | undefined;

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

  // Every socket open now is told, in RESYNC_SLICES slices over resyncSpreadMs: each slice's gap
  // fetches reach the API a little after the previous one's, not all in one instant.
  const resyncTimers = new Set<NodeJS.Timeout>();
  const stopResync = pubsub.onResubscribed(() => {
    const sockets = [...users.values()].flatMap((entry) => [...entry.sockets]);
    logger.info({ sockets: sockets.length, spreadMs: resyncSpreadMs }, 'live path was interrupted: telling every socket to resync');
    const sliceSize = Math.ceil(sockets.length / RESYNC_SLICES);
    for (let slice = 0; slice * sliceSize < sockets.length; slice += 1) {
      const batch = sockets.slice(slice * sliceSize, (slice + 1) * sliceSize);
      const timer = setTimeout(
        () => {
          resyncTimers.delete(timer);
          // A socket closed meanwhile ignores it (deliver checks); its reconnect resyncs anyway.
          for (const socket of batch) socket.deliver(RESYNC_FRAME);
        },
        (resyncSpreadMs * slice) / RESYNC_SLICES,
      );
      resyncTimers.add(timer);
    }
  });

  return {
    async start() {
      unsubscribeLive ??= await pubsub.subscribe(liveMessagesChannel, deliverLive);
    },
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
      stopResync();
      for (const timer of resyncTimers) clearTimeout(timer);
      resyncTimers.clear();
      const entries = [...users.values()];
      users.clear();
      const live = unsubscribeLive;
      unsubscribeLive = undefined;
      await Promise.allSettled([...entries.map(async (entry) => (await entry.subscribed)()), live?.()]);
    },
  };
}
