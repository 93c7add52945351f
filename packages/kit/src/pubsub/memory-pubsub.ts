import type { Logger } from '../logger.ts';
import type { PubSub } from '../ports.ts';

type Handler = (message: string, channel: string) => void;

export interface MemoryPubSubOptions {
  /** Throwing handlers are reported here; without it they are swallowed. */
  logger?: Logger;
}

/**
 * In-process pub/sub for standalone mode. Delivery is asynchronous, as over Redis: a handler
 * never runs inside publish's call stack, so publishers can't depend on it having run.
 */
export function createMemoryPubSub(options: MemoryPubSubOptions = {}): PubSub {
  const channels = new Map<string, Set<Handler>>();
  let closed = false;

  const deliver = (channel: string, handler: Handler, message: string): void => {
    // Unsubscribed (or closed) between publish and delivery: once unsubscribe has resolved,
    // no more messages arrive.
    if (closed || !channels.get(channel)?.has(handler)) return;
    try {
      handler(message, channel);
    } catch (error) {
      options.logger?.error({ err: error, channel }, 'pubsub handler threw');
    }
  };

  return {
    async publish(channel: string, message: string): Promise<void> {
      if (closed) throw new Error('pubsub is closed');
      for (const handler of channels.get(channel) ?? []) {
        // setImmediate keeps messages in publish order and, unlike microtasks, lets I/O run
        // between them when handlers publish in turn.
        setImmediate(deliver, channel, handler, message);
      }
    },

    async subscribe(channel: string, onMessage: Handler): Promise<() => Promise<void>> {
      if (closed) throw new Error('pubsub is closed');
      // Each call gets its own function identity, so the same callback may subscribe twice.
      const handler: Handler = (message, name) => onMessage(message, name);
      let handlers = channels.get(channel);
      if (!handlers) {
        handlers = new Set();
        channels.set(channel, handlers);
      }
      handlers.add(handler);
      return async () => {
        const current = channels.get(channel);
        if (!current?.delete(handler)) return;
        if (current.size === 0) channels.delete(channel);
      };
    },

    // In one process nothing can be lost between publisher and subscriber.
    onResubscribed: () => () => undefined,

    async ping(): Promise<boolean> {
      return !closed;
    },

    degraded: () => false,

    async close(): Promise<void> {
      closed = true;
      channels.clear();
    },
  };
}
