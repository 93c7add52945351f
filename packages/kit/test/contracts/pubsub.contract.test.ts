import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PubSub } from '../../src/ports.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { createRedisPubSub } from '../../src/pubsub/redis-pubsub.ts';
import { adapterKinds, testUrls, uniqueName } from '../../src/testing/infra.ts';

const waitOptions = { timeout: 5_000, interval: 20 };

/** Collects what a subscription receives. */
const recorder = () => {
  const received: { message: string; channel: string }[] = [];
  const onMessage = (message: string, channel: string): void => {
    received.push({ message, channel });
  };
  return { received, onMessage, messages: () => received.map((entry) => entry.message) };
};

describe.each(adapterKinds())('PubSub contract (%s)', (kind) => {
  let pubsub: PubSub;

  beforeAll(() => {
    // A per-run channel prefix keeps parallel runs on one Redis from hearing each other.
    pubsub = kind === 'embedded' ? createMemoryPubSub() : createRedisPubSub({ url: testUrls.redis, channelPrefix: `${uniqueName('parley_test')}:` });
  });

  afterAll(async () => {
    await pubsub.close();
  });

  it('answers ping', async () => {
    expect(await pubsub.ping()).toBe(true);
  });

  it('delivers a message to every subscriber of its channel, with the channel name', async () => {
    const first = recorder();
    const second = recorder();
    const offFirst = await pubsub.subscribe('user:1', first.onMessage);
    const offSecond = await pubsub.subscribe('user:1', second.onMessage);

    await pubsub.publish('user:1', 'hello');

    await vi.waitFor(() => {
      expect(first.received).toEqual([{ message: 'hello', channel: 'user:1' }]);
      expect(second.received).toEqual([{ message: 'hello', channel: 'user:1' }]);
    }, waitOptions);
    await offFirst();
    await offSecond();
  });

  it('delivers asynchronously, never inside publish', async () => {
    const { received, onMessage } = recorder();
    const off = await pubsub.subscribe('async', onMessage);
    const publishing = pubsub.publish('async', 'later');
    expect(received).toEqual([]);
    await publishing;
    await vi.waitFor(() => expect(received).toHaveLength(1), waitOptions);
    await off();
  });

  it('keeps the order of messages on a channel', async () => {
    const { messages, onMessage } = recorder();
    const off = await pubsub.subscribe('ordered', onMessage);
    const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
    for (const message of sent) await pubsub.publish('ordered', message);
    await vi.waitFor(() => expect(messages()).toEqual(sent), waitOptions);
    await off();
  });

  it('does not deliver to subscribers of other channels', async () => {
    const mine = recorder();
    const other = recorder();
    const offMine = await pubsub.subscribe('room:a', mine.onMessage);
    const offOther = await pubsub.subscribe('room:b', other.onMessage);

    await pubsub.publish('room:a', 'for a');
    await pubsub.publish('room:a', 'for a again');

    await vi.waitFor(() => expect(mine.messages()).toEqual(['for a', 'for a again']), waitOptions);
    // Messages on one connection arrive in order: had b heard the first, it would have by now.
    expect(other.received).toEqual([]);
    await offMine();
    await offOther();
  });

  it('stops delivering after unsubscribe, to that subscriber only', async () => {
    const leaving = recorder();
    const staying = recorder();
    const offLeaving = await pubsub.subscribe('typing:7', leaving.onMessage);
    const offStaying = await pubsub.subscribe('typing:7', staying.onMessage);

    await pubsub.publish('typing:7', 'one');
    await vi.waitFor(() => expect(leaving.messages()).toEqual(['one']), waitOptions);

    await offLeaving();
    await offLeaving(); // twice is harmless
    await pubsub.publish('typing:7', 'two');
    await vi.waitFor(() => expect(staying.messages()).toEqual(['one', 'two']), waitOptions);
    expect(leaving.messages()).toEqual(['one']);
    await offStaying();
  });

  it('stops delivering once the last subscriber has left, and can subscribe again', async () => {
    const gone = recorder();
    const off = await pubsub.subscribe('presence', gone.onMessage);
    await off();
    await pubsub.publish('presence', 'nobody listens');

    const back = recorder();
    const offBack = await pubsub.subscribe('presence', back.onMessage);
    await pubsub.publish('presence', 'welcome back');
    await vi.waitFor(() => expect(back.messages()).toEqual(['welcome back']), waitOptions);
    expect(gone.received).toEqual([]);
    await offBack();
  });

  it('handles several channels on one instance', async () => {
    const all = recorder();
    const channels = ['user:a', 'user:b', 'user:c'];
    const offs = await Promise.all(channels.map((channel) => pubsub.subscribe(channel, all.onMessage)));
    for (const channel of channels) await pubsub.publish(channel, `to ${channel}`);
    await vi.waitFor(
      () => expect([...all.received].sort((a, b) => a.channel.localeCompare(b.channel))).toEqual(channels.map((channel) => ({ channel, message: `to ${channel}` }))),
      waitOptions,
    );
    await Promise.all(offs.map((off) => off()));
  });

  it('keeps delivering to the others when a subscriber throws', async () => {
    const { messages, onMessage } = recorder();
    const offThrowing = await pubsub.subscribe('fragile', () => {
      throw new Error('handler bug');
    });
    const off = await pubsub.subscribe('fragile', onMessage);
    await pubsub.publish('fragile', 'first');
    await pubsub.publish('fragile', 'second');
    await vi.waitFor(() => expect(messages()).toEqual(['first', 'second']), waitOptions);
    await offThrowing();
    await off();
  });
});
