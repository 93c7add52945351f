import { Redis } from 'ioredis';
import { quitRedis } from '../cache/redis-cache.ts';
import type { Logger } from '../logger.ts';
import type { PubSub } from '../ports.ts';

export interface RedisPubSubOptions {
  url: string;
  /** Prepended to every channel on the wire; handlers see the channel without it. */
  channelPrefix?: string;
  /** A command not answered within this time rejects instead of waiting for Redis forever. */
  commandTimeoutMs?: number;
  /** Connection errors and throwing handlers are reported here; without it they are swallowed. */
  logger?: Logger;
}

type Handler = (message: string, channel: string) => void;

interface Channel {
  handlers: Set<Handler>;
  /** The Redis SUBSCRIBE for this channel; every local subscriber waits for it. */
  subscribed: Promise<void>;
}

/**
 * Pub/sub on Redis. A subscribed connection can only (un)subscribe, so publishing has its own
 * connection. However many local handlers a channel has, Redis sees one SUBSCRIBE; ioredis
 * re-subscribes by itself after a reconnection (autoResubscribe). Messages published while
 * this instance is disconnected are lost: Redis pub/sub is fire-and-forget.
 */
export function createRedisPubSub(options: RedisPubSubOptions): PubSub {
  const prefix = options.channelPrefix ?? '';
  const logger = options.logger;
  const connectionOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    autoResubscribe: true,
  };
  // Publishes issued in one tick (a group commit's live frames, say) leave in one write.
  const publisher = new Redis(options.url, { ...connectionOptions, enableAutoPipelining: true });
  const subscriber = new Redis(options.url, connectionOptions);
  // Once connected, a publish while Redis is away fails at once rather than queueing until the
  // timeout: the live path does not wait, clients catch up by resync (see onResubscribed).
  let publisherConnected = false;
  publisher.once('ready', () => {
    publisherConnected = true;
    publisher.options.enableOfflineQueue = false;
  });
  const reportError = (role: string) => (error: Error) => logger?.debug({ err: error, role }, 'redis pubsub connection error');
  publisher.on('error', reportError('publisher'));
  subscriber.on('error', reportError('subscriber'));

  // The subscriber connection was up and went down: messages published meanwhile are lost here.
  let subscriberReady = false;
  let interrupted = false;
  let closing = false;
  const resubscribedListeners = new Set<() => void>();
  subscriber.on('ready', () => {
    subscriberReady = true;
    if (!interrupted) return;
    // ioredis wrote the SUBSCRIBE commands before 'ready'; the PING's answer comes after theirs,
    // so once it is back every channel receives again and a resync misses nothing.
    subscriber.ping().then(
      () => {
        if (!interrupted || subscriber.status !== 'ready') return;
        interrupted = false;
        logger?.info({ dependency: 'redis' }, 'redis pub/sub subscriptions are back: live delivery resumes, sockets are told to resync');
        for (const listener of [...resubscribedListeners]) {
          try {
            listener();
          } catch (error) {
            logger?.error({ err: error }, 'resubscribed listener threw');
          }
        }
      },
      () => undefined, // down again: the next 'ready' tries once more
    );
  });
  subscriber.on('close', () => {
    if (!subscriberReady) return;
    subscriberReady = false;
    if (interrupted || closing) return;
    interrupted = true;
    logger?.warn({ dependency: 'redis' }, 'redis pub/sub connection lost: live delivery paused, running degraded');
  });

  const channels = new Map<string, Channel>();

  subscriber.on('message', (wireChannel: string, message: string) => {
    const channel = channels.get(wireChannel);
    if (!channel) return; // an UNSUBSCRIBE is on its way
    const name = wireChannel.slice(prefix.length);
    for (const handler of [...channel.handlers]) {
      // A throwing handler must neither starve the others nor break ioredis' reply parsing.
      try {
        handler(message, name);
      } catch (error) {
        options.logger?.error({ err: error, channel: name }, 'pubsub handler threw');
      }
    }
  });

  const remove = async (wireChannel: string, channel: Channel, handler: Handler): Promise<void> => {
    if (!channel.handlers.delete(handler) || channel.handlers.size > 0) return;
    // Commands on one connection run in order, so a SUBSCRIBE issued after this one wins.
    if (channels.get(wireChannel) === channel) channels.delete(wireChannel);
    if (subscriber.status === 'end') return;
    try {
      await subscriber.unsubscribe(wireChannel);
    } catch (error) {
      // Locally the subscription is gone either way; at worst Redis keeps sending messages
      // nobody handles on this channel. Nothing the caller could do about it.
      options.logger?.warn({ err: error, channel: wireChannel.slice(prefix.length) }, 'pubsub unsubscribe failed');
    }
  };

  return {
    async publish(channel: string, message: string): Promise<void> {
      await publisher.publish(prefix + channel, message);
    },

    async subscribe(channel: string, onMessage: Handler): Promise<() => Promise<void>> {
      const wireChannel = prefix + channel;
      let entry = channels.get(wireChannel);
      if (!entry) {
        const created: Channel = { handlers: new Set(), subscribed: subscriber.subscribe(wireChannel).then(() => undefined) };
        channels.set(wireChannel, created);
        entry = created;
      }
      // Each call gets its own function identity, so the same callback may subscribe twice.
      const handler: Handler = (message, name) => onMessage(message, name);
      entry.handlers.add(handler);
      const subscribed = entry;
      try {
        await subscribed.subscribed;
      } catch (error) {
        await remove(wireChannel, subscribed, handler);
        throw error;
      }
      return () => remove(wireChannel, subscribed, handler);
    },

    onResubscribed(listener: () => void): () => void {
      resubscribedListeners.add(listener);
      return () => resubscribedListeners.delete(listener);
    },

    async ping(): Promise<boolean> {
      try {
        await Promise.all([publisher.ping(), subscriber.ping()]);
        return true;
      } catch {
        return false;
      }
    },

    degraded(): boolean {
      return interrupted || (publisherConnected && publisher.status !== 'ready');
    },

    async close(): Promise<void> {
      closing = true;
      resubscribedListeners.clear();
      channels.clear();
      await Promise.all([quitRedis(publisher), quitRedis(subscriber)]);
    },
  };
}
