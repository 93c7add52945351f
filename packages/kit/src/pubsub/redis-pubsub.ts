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
  const connectionOptions = {
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    autoResubscribe: true,
  };
  const publisher = new Redis(options.url, connectionOptions);
  const subscriber = new Redis(options.url, connectionOptions);
  const reportError = (role: string) => (error: Error) => options.logger?.warn({ err: error, role }, 'redis pubsub connection error');
  publisher.on('error', reportError('publisher'));
  subscriber.on('error', reportError('subscriber'));

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

    async ping(): Promise<boolean> {
      try {
        await Promise.all([publisher.ping(), subscriber.ping()]);
        return true;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      channels.clear();
      await Promise.all([quitRedis(publisher), quitRedis(subscriber)]);
    },
  };
}
