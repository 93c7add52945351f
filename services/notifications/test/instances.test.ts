import { createLogger, createRabbitBus, newId, type Bus } from '@parley/kit';
import { adapterKinds, startProxy, testUrls, uniqueName } from '@parley/kit/testing';
import { Connection } from 'rabbitmq-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveMessagesChannel } from '@parley/contracts';
import { createGroup, openDirect, send, startNotificationsStack, type NotificationsInstance, type NotificationsStack, type StackUser } from './harness.ts';
import { STARTUP_MS, Sockets, waitUntil, type TestSocket } from './ws-client.ts';

const about = (messageId: string) => (data: any) => data.message?.id === messageId;

describe.each(adapterKinds())('several instances (%s)', (kind) => {
  let stack: NotificationsStack;
  let first: NotificationsInstance;
  let second: NotificationsInstance;
  const sockets = new Sockets();

  beforeAll(async () => {
    stack = await startNotificationsStack(kind);
    first = stack.notifications;
    second = await stack.startInstance();
  }, STARTUP_MS);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await stack?.stop();
  });

  const users = (n: number): Promise<StackUser[]> => Promise.all(Array.from({ length: n }, () => stack.register()));

  it('a user connected to one instance hears what is sent while the peer is on the other, once per socket', async () => {
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    const a = await sockets.as(first.wsUrl, alice!.token);
    const [bOnSecond, bOnFirst] = await Promise.all([sockets.as(second.wsUrl, bob!.token), sockets.as(first.wsUrl, bob!.token)]);

    const hello = await send(stack, alice!, conversationId, 'hello from the first instance');
    const reply = await send(stack, bob!, conversationId, 'hello from the second');
    for (const socket of [a, bOnSecond, bOnFirst]) {
      await socket.waitFor('message.created', about(hello.id));
      await socket.waitFor('message.created', about(reply.id));
    }
    const sentinel = await send(stack, alice!, conversationId, 'sentinel');
    for (const socket of [a, bOnSecond, bOnFirst]) {
      await socket.waitFor('message.created', about(sentinel.id));
      expect(socket.of('message.created', about(hello.id))).toHaveLength(1);
      expect(socket.of('message.created', about(reply.id))).toHaveLength(1);
    }
  });

  it('typing and presence cross instances', async () => {
    const [alice, bob] = await users(2);
    const a = await sockets.as(first.wsUrl, alice!.token);
    const conversationId = await openDirect(stack, alice!, bob!);
    await a.waitFor('conversation.created', (d) => d.conversation.id === conversationId);
    const b = await sockets.as(second.wsUrl, bob!.token);
    await a.waitFor('presence', (d) => d.userId === bob!.id && d.status === 'online');
    const seen = await first.api('GET', `/api/v1/presence?userIds=${bob!.id}`, { token: alice!.token });
    expect(seen.body.items).toEqual([{ userId: bob!.id, status: 'online' }]);
    a.send({ type: 'typing', conversationId });
    expect((await b.waitFor('typing')).data).toEqual({ conversationId, userId: alice!.id });
  });

  it('when an instance stops, its clients reconnect to another and fetch the gap by seq: nothing is lost', async () => {
    const doomed = await stack.startInstance();
    const [alice, bob] = await users(2);
    const conversationId = await openDirect(stack, alice!, bob!);
    const before = await sockets.as(doomed.wsUrl, alice!.token);
    const sent = [await send(stack, bob!, conversationId, 'one')];
    await before.waitFor('message.created', about(sent[0].id));

    await doomed.stop();
    expect((await before.waitClosed()).code).toBe(1012);
    for (const body of ['two', 'three', 'four']) sent.push(await send(stack, bob!, conversationId, body));

    // The client reconnects (to the other instance) and asks for everything after its last seq.
    const after = await sockets.as(first.wsUrl, alice!.token);
    sent.push(await send(stack, bob!, conversationId, 'five'));
    const lastSeq = Math.max(...before.of('message.created').map((f) => f.data.message.seq));
    const fetched: any[] = [];
    let cursor = String(lastSeq);
    for (;;) {
      const page = await stack.api('GET', `/api/v1/conversations/${conversationId}/messages?after=${cursor}`, { token: alice!.token });
      expect(page.status).toBe(200);
      fetched.push(...page.body.items);
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    await after.waitFor('message.created', about(sent.at(-1).id));
    const live = [...before.of('message.created'), ...after.of('message.created')].map((f) => f.data.message);
    const seen = new Set([...live, ...fetched].map((m) => m.seq));
    expect([...seen].sort((x, y) => x - y)).toEqual(sent.map((m) => m.seq));
  });

  // The live path of new messages: messages publishes each new message once on the live channel,
  // with its recipients, and every instance writes it to its own sockets of those recipients. The
  // broker no longer relays message.created to sockets (it still feeds stored notifications).
  it('one publish per message, on the live channel, carries the frame and the members', async () => {
    const [owner, member] = await users(2);
    const groupId = await createGroup(stack, owner!, [member!]);
    const seen: string[] = [];
    const unsubscribe = await stack.adapters.pubsub.subscribe(liveMessagesChannel, (message) => seen.push(message));
    try {
      const message = await send(stack, owner!, groupId, 'live');
      await waitUntil(() => seen.some((line) => line.includes(message.id)));
      const lines = seen.filter((line) => line.includes(message.id));
      expect(lines).toHaveLength(1);
      const [head, frame] = [lines[0]!.slice(0, lines[0]!.indexOf('\n')), lines[0]!.slice(lines[0]!.indexOf('\n') + 1)];
      // The header: recipients, then the commit time and the send's request id.
      expect(head.split(' ')[0]!.split(',').sort()).toEqual([owner!.id, member!.id].sort());
      expect(JSON.parse(frame)).toEqual({ type: 'message.created', data: { message, mentions: [] } });
    } finally {
      await unsubscribe();
    }
  });

  it('reaches every member on either instance once, in seq order for one sender, and nobody else', async () => {
    const [owner, member, outsider] = await users(3);
    const groupId = await createGroup(stack, owner!, [member!]);
    const [ownerOnFirst, memberOnSecond, memberOnFirst, outsiderOnBoth] = await Promise.all([
      sockets.as(first.wsUrl, owner!.token),
      sockets.as(second.wsUrl, member!.token),
      sockets.as(first.wsUrl, member!.token),
      sockets.as(second.wsUrl, outsider!.token),
    ]);
    const sent = [];
    for (let i = 0; i < 10; i++) sent.push(await send(stack, owner!, groupId, `message ${i}`));
    for (const socket of [ownerOnFirst, memberOnSecond, memberOnFirst]) {
      await socket.waitFor('message.created', about(sent.at(-1).id));
      const seqs = socket.of('message.created', (d) => d.message.conversationId === groupId).map((f) => f.data.message.seq);
      expect(seqs).toEqual(sent.map((m) => m.seq));
    }
    expect(outsiderOnBoth.of('message.created')).toEqual([]);
  });

  it('a message.created relayed by the broker as well (a producer from before the live path) is not shown twice', async () => {
    const [owner, member] = await users(2);
    const groupId = await createGroup(stack, owner!, [member!]);
    const socket = await sockets.as(second.wsUrl, member!.token);
    const message = await send(stack, owner!, groupId, 'once');
    await socket.waitFor('message.created', about(message.id));
    await waitUntil(() => stack.recorder.of('message.created', (d) => d.message.id === message.id).length > 0);
    // The same event once more on the bus, as an old producer's relay would publish it.
    const [event] = stack.recorder.of('message.created', (d) => d.message.id === message.id);
    await stack.adapters.bus.publish([event!]);
    // An edit goes through the broker's fan-out, in order after what it took before for this
    // conversation: once the edit is here, a relayed copy would have been too.
    const edit = await stack.api('PATCH', `/api/v1/messages/${message.id}`, { token: owner!.token, body: { body: 'once, edited' } });
    expect(edit.status).toBe(200);
    await socket.waitFor('message.updated', about(message.id));
    // The broker's copy reaches the durable consumers only; the fan-out does not take message.created.
    expect(socket.of('message.created', about(message.id))).toHaveLength(1);
  });

  // New messages reach sockets by the live path (Redis), not the broker: the broker's relay is
  // shown here with edits, which still go through it.
  it.runIf(kind === 'real')('when its RabbitMQ connection drops while messages are edited, every edit is delivered once it is back', async () => {
    const logger = createLogger('notifications-test', 'silent');
    const exchange = uniqueName('parley_test_events');
    const queuePrefix = uniqueName('t');
    const queues: string[] = [];
    const proxy = await startProxy(testUrls.amqp);
    const throughProxy = createRabbitBus({ url: proxy.url, exchange, logger, publishTimeoutMs: 2000, reconnectMaxMs: 300 });
    const direct = createRabbitBus({ url: testUrls.amqp, exchange, logger });
    const prefixed: Bus = {
      ...throughProxy,
      subscribe(options, handler) {
        const queue = `${queuePrefix}.${options.queue}`;
        queues.push(queue, `${queue}.retry`, `${queue}.dlq`);
        return throughProxy.subscribe({ ...options, queue }, handler);
      },
    };
    const instance = await stack.startInstance({ bus: prefixed });
    try {
      const [alice, bob] = await users(2);
      const conversationId = newId();
      const b = await sockets.as(first.wsUrl, bob!.token);
      const edited = (seq: number) => ({
        message: {
          id: newId(),
          conversationId,
          seq,
          senderId: alice!.id,
          body: `message ${seq}`,
          clientMessageId: `c${seq}`,
          replyToId: null,
          attachments: [],
          reactions: [],
          createdAt: new Date().toISOString(),
          editedAt: new Date().toISOString(),
          deletedAt: null,
        },
        recipients: [alice!.id, bob!.id],
      });
      const publish = (seq: number) =>
        direct.publish([{ id: newId(), type: 'message.updated', occurredAt: new Date().toISOString(), producer: 'test', data: edited(seq) }]);

      await publish(1);
      await b.waitFor('message.updated', (d) => d.message.conversationId === conversationId && d.message.seq === 1);
      await proxy.cut();
      await waitUntil(async () => !(await throughProxy.ping()));
      for (let seq = 2; seq <= 6; seq++) await publish(seq);
      await proxy.restore();
      const seqs = (socket: TestSocket) => socket.of('message.updated', (d) => d.message.conversationId === conversationId).map((f) => f.data.message.seq);
      await waitUntil(() => seqs(b).length >= 6);
      expect(seqs(b).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await instance.stop();
      await Promise.allSettled([throughProxy.close(), direct.close()]);
      await proxy.close();
      const admin = new Connection(testUrls.amqp);
      admin.on('error', () => undefined);
      for (const queue of queues) await admin.queueDelete({ queue }).catch(() => undefined);
      await admin.exchangeDelete({ exchange }).catch(() => undefined);
      await admin.close();
    }
  });
});
