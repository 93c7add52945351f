import { describe, expect, it } from 'vitest';
import { makeEvent } from '../src/bus/outbox.ts';
import { batchMessages } from '../src/bus/rabbit-bus.ts';

const event = (type: string, data: unknown = {}) => makeEvent(type, data, 'batch-test');
const bodyOf = (message: { body: Buffer }): unknown => JSON.parse(message.body.toString('utf8'));

describe('batchMessages (events published together, as RabbitMQ messages)', () => {
  it('joins consecutive events of one type into one message and leaves a lone event as it was', () => {
    const events = [event('a.x', { n: 0 }), event('a.x', { n: 1 }), event('b.y', { n: 2 }), event('a.x', { n: 3 })];
    const messages = batchMessages('ex', events);
    expect(messages.map((m) => m.envelope.routingKey)).toEqual(['a.x', 'b.y', 'a.x']);
    expect(bodyOf(messages[0]!)).toEqual([events[0], events[1]].map((e) => JSON.parse(JSON.stringify(e))));
    expect(messages[0]!.envelope.headers).toEqual({ 'x-parley-batch': 2 });
    // A lone event is the plain envelope, readable by consumers that know no batches.
    expect(bodyOf(messages[1]!)).toEqual(JSON.parse(JSON.stringify(events[2])));
    expect(messages[1]!.envelope.headers).toBeUndefined();
    expect(messages.every((m) => m.envelope.durable && m.envelope.exchange === 'ex')).toBe(true);
  });

  it('caps a batch by events and by bytes', () => {
    const many = Array.from({ length: 450 }, (_, n) => event('c.z', { n }));
    expect(batchMessages('ex', many).map((m) => (bodyOf(m) as unknown[]).length)).toEqual([200, 200, 50]);
    const big = Array.from({ length: 6 }, () => event('d.w', { text: 'x'.repeat(200 * 1024) }));
    const sizes = batchMessages('ex', big).map((m) => m.body.length);
    expect(sizes.length).toBe(3);
    expect(Math.max(...sizes)).toBeLessThan(512 * 1024 + 1024);
  });
});
