import { adapterKinds, expectFieldErrors, expectProblem, type Api } from '@parley/kit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDirect, send, startNotificationsStack, type NotificationsStack, type StackUser } from './harness.ts';
import { BrowserSubscription, LocalPushService } from './push-server.ts';
import { STARTUP_MS, Sockets, waitUntil } from './ws-client.ts';

describe.each(adapterKinds())('Web Push (%s)', (kind) => {
  let stack: NotificationsStack;
  let pushService: LocalPushService;
  let api: Api;
  const sockets = new Sockets();
  let endpoints = 0;

  beforeAll(async () => {
    pushService = await LocalPushService.start();
    stack = await startNotificationsStack(kind, { env: { PUSH_ENDPOINT_ALLOW_LIST: pushService.origin } });
    api = stack.notifications.api;
  }, STARTUP_MS);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await stack?.stop();
    await pushService?.stop();
  });

  const users = (n: number): Promise<StackUser[]> => Promise.all(Array.from({ length: n }, () => stack.register()));

  /** A browser of `user` subscribed at the local push service; its path there. */
  const subscribe = async (user: StackUser): Promise<{ browser: BrowserSubscription; path: string }> => {
    const path = `/push/${kind}-${++endpoints}`;
    const browser = new BrowserSubscription(`${pushService.origin}${path}`);
    const res = await api('POST', '/api/v1/push/subscriptions', { token: user.token, body: browser.toJSON() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { browser, path };
  };

  it('gives out one VAPID public key, the same on every instance', async () => {
    const [alice] = await users(1);
    const res = await api('GET', '/api/v1/push/vapid-public-key', { token: alice!.token });
    expect(res.status).toBe(200);
    const key = Buffer.from(res.body.publicKey, 'base64url');
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(4);
    const other = await stack.startInstance();
    expect((await other.api('GET', '/api/v1/push/vapid-public-key', { token: alice!.token })).body.publicKey).toBe(res.body.publicKey);
    await other.stop();
  });

  it('pushes a direct message to a user with no open socket, encrypted for their browser and signed with the VAPID key', async () => {
    const [alice, bob] = await users(2);
    const { browser, path } = await subscribe(bob!);
    const conversationId = await openDirect(stack, alice!, bob!);
    const message = await send(stack, alice!, conversationId, 'are you there?');

    await waitUntil(() => pushService.to(path).length === 1);
    const push = pushService.to(path)[0]!;
    const publicKey = (await api('GET', '/api/v1/push/vapid-public-key', { token: bob!.token })).body.publicKey;
    expect(push.headers.authorization).toMatch(new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${publicKey}$`));
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(push.headers.ttl)).toBeGreaterThan(0);
    const payload = JSON.parse(browser.decrypt(push.body));
    expect(payload).toMatchObject({
      type: 'notification',
      data: { kind: 'direct_message', conversationId, messageId: message.id, actorId: alice!.id, preview: 'are you there?' },
    });
  });

  it('sends a connected user the notification frame and no push; a push once they are gone', async () => {
    const [alice, bob] = await users(2);
    const { browser, path } = await subscribe(bob!);
    const conversationId = await openDirect(stack, alice!, bob!);
    const socket = await sockets.as(stack.notifications.wsUrl, bob!.token);
    const first = await send(stack, alice!, conversationId, 'while connected');
    await socket.waitFor('notification', (d) => d.messageId === first.id);
    socket.close();
    await socket.waitClosed();
    await waitUntil(async () => {
      const presence = await api('GET', `/api/v1/presence?userIds=${bob!.id}`, { token: alice!.token });
      return presence.body.items[0].status === 'offline';
    });

    const second = await send(stack, alice!, conversationId, 'while away');
    await waitUntil(() => pushService.to(path).length >= 1);
    expect(pushService.to(path).map((push) => JSON.parse(browser.decrypt(push.body)).data.messageId)).toEqual([second.id]);
  });

  it('removes a subscription the push service says is gone (410)', async () => {
    const [alice, bob] = await users(2);
    const { path } = await subscribe(bob!);
    pushService.answers.set(path, 410);
    const conversationId = await openDirect(stack, alice!, bob!);
    await send(stack, alice!, conversationId, 'hello?');
    await waitUntil(() => pushService.to(path).length === 1);
    await waitUntil(async () => {
      const { rows } = await stack.notificationsDb.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [`${pushService.origin}${path}`]);
      return rows.length === 0;
    });
  });

  it('accepts https endpoints on public hosts, refuses others and bad keys with 400, and removes by endpoint', async () => {
    const [alice] = await users(1);
    const browser = new BrowserSubscription('https://push.example.com/send/abc').toJSON();
    const post = (body: unknown) => api('POST', '/api/v1/push/subscriptions', { token: alice!.token, body });
    expect((await post(browser)).status).toBe(201);
    const again = await post(browser);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ endpoint: browser.endpoint, createdAt: expect.any(String) });

    for (const endpoint of [
      'http://push.example.com/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://[::1]/x',
      'https://localhost/x',
      'not a url',
      'ftp://push.example.com/x',
      'https://localhost./x',
      'https://[::7f00:1]/x',
      'https://[64:ff9b::7f00:1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://2130706433/x',
      'https://[2002:a00:1::]/x',
    ]) {
      expectFieldErrors(await post({ ...browser, endpoint }), ['body.endpoint']);
    }
    expectFieldErrors(await post({ ...browser, keys: { p256dh: 'AAAA', auth: browser.keys.auth } }), ['body.keys.p256dh']);
    expectFieldErrors(await post({ ...browser, keys: { p256dh: browser.keys.p256dh, auth: 'short' } }), ['body.keys.auth']);
    expectFieldErrors(await post({ endpoint: browser.endpoint }), ['body.keys']);
    expectProblem(await api('POST', '/api/v1/push/subscriptions', { body: browser }), 401);

    const remove = () => api('DELETE', '/api/v1/push/subscriptions', { token: alice!.token, body: { endpoint: browser.endpoint } });
    expect((await remove()).status).toBe(204);
    expect((await remove()).status).toBe(204);
    // A NUL byte reached PostgreSQL here once (500): the storable-text rule answers 400.
    const nul = await api('DELETE', '/api/v1/push/subscriptions', { token: alice!.token, body: { endpoint: 'a\u0000b' } });
    expectFieldErrors(nul, ['body.endpoint']);
    const { rows } = await stack.notificationsDb.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [browser.endpoint]);
    expect(rows).toEqual([]);
  });
});
