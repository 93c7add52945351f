import { unauthorized, type TokenVerifier, type VerifiedCaller } from '@parley/kit';
import { adapterKinds, apiFor, logIn, TEST_PASSWORD } from '@parley/kit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDirect, startNotificationsStack, type NotificationsInstance, type NotificationsStack, type StackUser } from './harness.ts';
import { STARTUP_MS, Sockets, TestSocket, waitForCount, waitUntil } from './ws-client.ts';

/** A JWT-shaped token whose payload says when it expires; only shortLivedTokens' verifier accepts it. */
function fakeToken(claims: { sub: string; sid: string; exp: number }): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'EdDSA' })}.${part(claims)}.c2ln`;
}

/**
 * Access tokens live at least a minute at accounts; these are hand-made tokens that expire in a
 * moment, with a verifier that accepts them besides the stack's real ones (and answers their
 * expiry, as the kit's verifier does), so the expiry timer can be seen to work.
 */
function shortLivedTokens(stack: NotificationsStack): { issue(user: StackUser, exp: number): string; verify: TokenVerifier } {
  const tokens = new Map<string, VerifiedCaller>();
  return {
    issue(user, exp) {
      const token = fakeToken({ sub: user.id, sid: user.sessionId, exp });
      tokens.set(token, { userId: user.id, sessionId: user.sessionId, expiresAt: exp * 1000 });
      return token;
    },
    async verify(token) {
      const known = tokens.get(token);
      if (!known) return stack.verifyToken(token);
      if (known.expiresAt <= Date.now()) throw unauthorized('The access token has expired.');
      return known;
    },
  };
}

describe.each(adapterKinds())('WebSocket protocol (%s)', (kind) => {
  let stack: NotificationsStack;
  let ws: string;
  const sockets = new Sockets();

  beforeAll(async () => {
    stack = await startNotificationsStack(kind, { env: { WS_MAX_FRAME_BYTES: '4096', WS_MAX_FRAMES_PER_SECOND: '5', WS_FRAME_BURST: '10' } });
    ws = stack.notifications.wsUrl;
  }, STARTUP_MS);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a valid auth frame with ready, naming the user and session', async () => {
    const alice = await stack.register();
    const socket = await sockets.connect(ws);
    socket.send({ type: 'auth', token: alice.token });
    const ready = await socket.waitFor('ready');
    expect(ready.data).toEqual({ userId: alice.id, sessionId: alice.sessionId });
  });

  it('answers ping with pong', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    socket.send({ type: 'ping' });
    await socket.waitFor('pong');
    expect(socket.isOpen).toBe(true);
  });

  it('when no auth frame comes in time, closes with 4001', async () => {
    const socket = await sockets.connect(ws);
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it('when the first frame is not auth, closes with 4001', async () => {
    const socket = await sockets.connect(ws);
    socket.send({ type: 'ping' });
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it('when the token is not valid, closes with 4001', async () => {
    const socket = await sockets.connect(ws);
    socket.send({ type: 'auth', token: 'not.a.token' });
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it('when the token is empty, closes with 4001', async () => {
    const socket = await sockets.connect(ws);
    socket.send({ type: 'auth', token: '' });
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it('accepts a new token of the same user at any time and answers ready again', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    const refreshed = await apiFor(stack.accountsUrl)('POST', '/api/v1/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(refreshed.status).toBe(200);
    socket.send({ type: 'auth', token: refreshed.body.accessToken });
    await waitForCount(socket, 'ready', 2);
    socket.send({ type: 'ping' });
    await socket.waitFor('pong');
    expect(socket.isOpen).toBe(true);
  });

  it('when a re-auth brings a bad token, closes with 4001', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    socket.send({ type: 'auth', token: 'garbage' });
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it("when a re-auth brings another user's token, closes with 4001", async () => {
    const [alice, bob] = await Promise.all([stack.register(), stack.register()]);
    const socket = await sockets.as(ws, alice.token);
    socket.send({ type: 'auth', token: bob.token });
    expect((await socket.waitClosed()).code).toBe(4001);
  });

  it('answers malformed JSON, unknown types, bad fields and binary frames with error frames and stays open', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    socket.send('{not json');
    socket.send({ type: 'shout' });
    socket.send({ type: 'typing', conversationId: 'nope' });
    socket.raw.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send({ type: 'ping' });
    await socket.waitFor('pong');
    expect(socket.of('error').map((f) => f.data.code)).toEqual(['bad_frame', 'unknown_type', 'bad_frame', 'bad_frame']);
    for (const frame of socket.of('error')) expect(frame.data.message).toEqual(expect.any(String));
    expect(socket.isOpen).toBe(true);
  });

  it('closes with 1009 on a frame over the size limit', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    socket.send({ type: 'ping', padding: 'x'.repeat(5000) });
    expect((await socket.waitClosed()).code).toBe(1009);
  });

  it('closes with 1008 when a client floods it', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    for (let i = 0; i < 50; i++) socket.send({ type: 'ping' });
    expect((await socket.waitClosed()).code).toBe(1008);
  });

  it('refuses the handshake from a browser origin not on the list (403), lets listed and origin-less clients in', async () => {
    await expect(TestSocket.connect(ws, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const listed = await sockets.connect(ws, { origin: 'http://localhost:8080' });
    const bare = await sockets.connect(ws);
    expect(listed.isOpen && bare.isOpen).toBe(true);
  });

  it('closes the socket with 4001 when its session logs out', async () => {
    const alice = await stack.register();
    const socket = await sockets.as(ws, alice.token);
    const other = await sockets.as(ws, (await logIn(apiFor(stack.accountsUrl), alice.username, TEST_PASSWORD)).accessToken);
    const logout = await apiFor(stack.accountsUrl)('POST', '/api/v1/auth/logout', { token: alice.token });
    expect(logout.status).toBe(204);
    expect((await socket.waitClosed()).code).toBe(4001);
    // The revoked token opens no new socket either.
    const again = await sockets.connect(ws);
    again.send({ type: 'auth', token: alice.token });
    expect((await again.waitClosed()).code).toBe(4001);
    // The same user's other session keeps its socket.
    other.send({ type: 'ping' });
    await other.waitFor('pong');
    expect(other.isOpen).toBe(true);
  });

  it('relays typing to the other members only, and tells a non-member the conversation does not exist', async () => {
    const [alice, bob, eve] = await Promise.all([stack.register(), stack.register(), stack.register()]);
    const [a, b, e] = await Promise.all([sockets.as(ws, alice.token), sockets.as(ws, bob.token), sockets.as(ws, eve.token)]);
    const conversationId = await openDirect(stack, alice, bob);
    // Once the conversation's creation has been relayed, this service knows its members.
    await a.waitFor('conversation.created', (d) => d.conversation.id === conversationId);
    a.send({ type: 'typing', conversationId });
    const typing = await b.waitFor('typing');
    expect(typing.data).toEqual({ conversationId, userId: alice.id });
    e.send({ type: 'typing', conversationId });
    const error = await e.waitFor('error');
    expect(error.data.code).toBe('not_found');
    a.send({ type: 'ping' });
    await a.waitFor('pong');
    expect(a.of('typing')).toEqual([]);
    expect(b.of('typing')).toHaveLength(1);
  });

  describe('with the heartbeat far away (10 min) and short-lived tokens', () => {
    let slow: NotificationsInstance;
    let tokens: ReturnType<typeof shortLivedTokens>;

    beforeAll(async () => {
      tokens = shortLivedTokens(stack);
      slow = await stack.startInstance({ env: { WS_HEARTBEAT_SECONDS: '600' }, verifyToken: tokens.verify });
    });

    it('closes a socket with 4001 when its token expires, without waiting for the heartbeat', async () => {
      const alice = await stack.register();
      const exp = Math.floor(Date.now() / 1000) + 2;
      const token = tokens.issue(alice, exp);
      const socket = await sockets.as(slow.wsUrl, token);
      // waitClosed gives up after 15 s: only the expiry wheel can close it that soon.
      expect(await socket.waitClosed()).toEqual({ code: 4001, reason: 'The access token has expired.' });
    });

    it('a renewed token moves the socket to its new expiry: the old one no longer closes it', async () => {
      const alice = await stack.register();
      const exp = Math.floor(Date.now() / 1000) + 2;
      const short = tokens.issue(alice, exp);
      const later = tokens.issue(alice, exp + 2);
      const [socket, witness] = await Promise.all([sockets.as(slow.wsUrl, short), sockets.as(slow.wsUrl, short)]);
      socket.send({ type: 'auth', token: later });
      await waitForCount(socket, 'ready', 2);
      // The witness keeps the first token: its close says the wheel has passed that token's second.
      expect(await witness.waitClosed()).toEqual({ code: 4001, reason: 'The access token has expired.' });
      // Past it the socket still answers; the second token's second closes it.
      socket.send({ type: 'ping' });
      await socket.waitFor('pong');
      expect(await socket.waitClosed()).toEqual({ code: 4001, reason: 'The access token has expired.' });
    });
  });

  describe('with a quick heartbeat and one session re-check per beat', () => {
    let capped: NotificationsInstance;
    const rechecks: { token: string; tick: number }[] = [];
    let counting = false;
    // A beat re-checks its slice in one synchronous loop: calls of one beat share a tick, and a
    // tick ends (setImmediate) before the next beat's timer can fire.
    let tick = 0;
    let tickEnding = false;
    const currentTick = (): number => {
      if (!tickEnding) {
        tickEnding = true;
        setImmediate(() => {
          tick += 1;
          tickEnding = false;
        });
      }
      return tick;
    };

    beforeAll(async () => {
      capped = await stack.startInstance({
        env: { WS_HEARTBEAT_SECONDS: '1', WS_SESSION_RECHECKS_PER_BEAT: '1' },
        verifyToken: async (token) => {
          if (counting) rechecks.push({ token, tick: currentTick() });
          return stack.verifyToken(token);
        },
      });
    });

    it('re-checks every socket in turn, never more sessions in one beat than the cap (no CheckSession storm after a cache loss)', async () => {
      const users = await Promise.all([stack.register(), stack.register(), stack.register()]);
      await Promise.all(users.map((user) => sockets.as(capped.wsUrl, user.token)));
      counting = true;
      await vi.waitFor(() => expect(new Set(rechecks.map((r) => r.token))).toEqual(new Set(users.map((u) => u.token))), { timeout: 20_000, interval: 100 });
      counting = false;
      // Calls of one beat come in the same tick.
      const perBeat = new Map<number, number>();
      for (const r of rechecks) perBeat.set(r.tick, (perBeat.get(r.tick) ?? 0) + 1);
      expect(Math.max(...perBeat.values())).toBe(1);
    });
  });

  describe('with a quick heartbeat and short-lived tokens', () => {
    let fast: NotificationsInstance;
    let tokens: ReturnType<typeof shortLivedTokens>;

    beforeAll(async () => {
      tokens = shortLivedTokens(stack);
      fast = await stack.startInstance({ env: { WS_HEARTBEAT_SECONDS: '1' }, verifyToken: tokens.verify });
    });

    it('closes a socket with 4001 when its token expires', async () => {
      const alice = await stack.register();
      const token = tokens.issue(alice, Math.floor(Date.now() / 1000) + 2);
      const socket = await sockets.as(fast.wsUrl, token);
      expect((await socket.waitClosed()).code).toBe(4001);
    });

    it('keeps a socket past the first expiry when a fresh token came in time', async () => {
      const alice = await stack.register();
      const exp = Math.floor(Date.now() / 1000) + 2;
      const short = tokens.issue(alice, exp);
      const [socket, witness] = await Promise.all([sockets.as(fast.wsUrl, short), sockets.as(fast.wsUrl, short)]);
      socket.send({ type: 'auth', token: alice.token });
      await waitForCount(socket, 'ready', 2);
      // The witness keeps the short token: once it is closed, that token's expiry is past.
      expect(await witness.waitClosed()).toEqual({ code: 4001, reason: 'The access token has expired.' });
      // Past the short token's expiry, the socket still answers.
      socket.send({ type: 'ping' });
      await socket.waitFor('pong');
      expect(socket.isOpen).toBe(true);
    });

    it('terminates a socket that stops answering pings', async () => {
      const alice = await stack.register();
      const socket = sockets.track(await TestSocket.connect(fast.wsUrl, { autoPong: false }));
      socket.send({ type: 'auth', token: alice.token });
      await socket.waitFor('ready');
      const closed = await socket.waitClosed();
      expect(closed.code).toBe(1006);
    });

    it('pings sockets that are alive and keeps them', async () => {
      const alice = await stack.register();
      const socket = await sockets.as(fast.wsUrl, alice.token);
      let pings = 0;
      socket.raw.on('ping', () => (pings += 1));
      await waitUntil(() => pings >= 2);
      expect(socket.isOpen).toBe(true);
    });
  });

  it('drops a socket that reads too slowly instead of buffering without bound', async () => {
    const instance = await stack.startInstance({ env: { WS_MAX_BUFFERED_BYTES: '65536' } });
    const alice = await stack.register();
    const socket = await sockets.as(instance.wsUrl, alice.token);
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (socket.raw as any)._socket.pause();
    const frame = JSON.stringify({ type: 'typing', data: { conversationId: alice.id, userId: alice.id, pad: 'x'.repeat(16 * 1024) } });
    for (let i = 0; i < 4000 && instance.service.http.websocketServer.clients.size > 0; i++) {
      await stack.adapters.pubsub.publish(`user:${alice.id}`, frame);
      // Let the server's writes and the kernel catch up now and then (a turn of the event loop, not a pause).
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => instance.service.http.websocketServer.clients.size === 0);
    (socket.raw as any)._socket.resume();
    const closed = await socket.waitClosed();
    expect([1013, 1006]).toContain(closed.code);
  });
});
