import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  apiFor,
  infraEnabled,
  logIn as logInAs,
  openTestDb,
  registerUser,
  startPrivateRedis,
  type Api,
  type ApiResponse as Reply,
  type PrivateRedis,
} from '@parley/kit/testing';
import { startPlatform, type Platform } from '../src/platform.ts';

/**
 * Issue 15: the platform on a private Redis that this file stops and starts (its data survives
 * the restart, so entries cached before the outage are still there after it), real PostgreSQL,
 * the embedded bus. While Redis is down everything but live delivery, presence and typing keeps
 * working; once it is back, sockets are told to resync and nothing cached is stale.
 */

const WAIT = { timeout: 30_000, interval: 50 };
/** Sends per user per minute, counted per process while Redis is away against 30 / 3 = 10. */
const SEND_RATE = 30;
const INSTANCES = 3;

interface User {
  id: string;
  token: string;
  username: string;
}

interface Message {
  id: string;
  seq: number;
  conversationId: string;
  body: string;
}

/** A client as the docs ask: remembers the last seq per conversation, fetches gaps on resync, de-duplicates by id. */
class Client {
  readonly frames: any[] = [];
  readonly messages = new Map<string, Message>();
  readonly received: string[] = [];
  readonly failedFetches: number[] = [];
  private readonly lastSeq = new Map<string, number>();
  private readonly ahead = new Map<string, Set<number>>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private readonly call: (method: string, path: string, token?: string) => Promise<Reply>,
    private readonly token: string,
  ) {
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8'));
      this.frames.push(frame);
      if (frame.type === 'message.created') this.keep(frame.data.message);
      if (frame.type === 'resync') this.syncing = this.syncing.then(() => this.resync());
    });
  }

  track(conversationId: string): void {
    this.lastSeq.set(conversationId, this.lastSeq.get(conversationId) ?? 0);
  }

  /** lastSeq only moves over contiguous seqs: a frame beyond a hole means a gap to fetch (realtime.md, rule 4). */
  private keep(message: Message): void {
    this.received.push(message.id);
    this.messages.set(message.id, message);
    const { conversationId, seq } = message;
    const ahead = this.ahead.get(conversationId) ?? new Set<number>();
    this.ahead.set(conversationId, ahead);
    let last = this.lastSeq.get(conversationId) ?? 0;
    if (seq > last) ahead.add(seq);
    while (ahead.delete(last + 1)) last += 1;
    this.lastSeq.set(conversationId, last);
  }

  private async resync(): Promise<void> {
    for (const conversationId of [...this.lastSeq.keys()]) {
      let after: string | null = String(this.lastSeq.get(conversationId) ?? 0);
      while (after !== null) {
        const page = await this.call('GET', `/api/v1/conversations/${conversationId}/messages?after=${after}`, this.token);
        if (page.status !== 200) {
          this.failedFetches.push(page.status);
          return;
        }
        for (const message of page.body.items as Message[]) this.keep(message);
        after = page.body.nextCursor;
      }
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

describe.runIf(infraEnabled)('Redis outage: the platform degrades instead of failing', () => {
  let redis: PrivateRedis;
  let platform: Platform;
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-outage-'));
  let base = '';

  /** The kit's test client; every request from one client address. */
  const api = (): Api => apiFor(base, { ip: '10.0.0.1' });
  /** Positional, for this file's many calls. */
  const call = (method: string, path: string, token?: string, body?: unknown, raw?: { data: Buffer; type: string }): Promise<Reply> =>
    api()(method, path, {
      ...(token ? { token } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(raw ? { raw: raw.data, headers: { 'content-type': raw.type } } : {}),
    });

  const password = (username: string) => `${username}-password`;
  const register = async (username: string): Promise<User> => {
    const registered = await registerUser(api(), {
      username,
      email: `${username}@example.test`,
      password: password(username),
      displayName: undefined,
    });
    return { id: registered.user.id, token: registered.accessToken, username };
  };
  const logIn = async (username: string): Promise<string> => (await logInAs(api(), username, password(username))).accessToken;
  let counter = 0;
  const send = (user: User, conversationId: string, body: string) =>
    call('POST', `/api/v1/conversations/${conversationId}/messages`, user.token, { body, clientMessageId: `c-${(counter += 1)}-${Date.now()}` });
  const connect = async (user: User): Promise<Client> => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const client = new Client(socket, call, user.token);
    socket.send(JSON.stringify({ type: 'auth', token: user.token }));
    await expect.poll(() => client.frames.some((frame) => frame.type === 'ready'), WAIT).toBe(true);
    return client;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis({ persist: true });
    platform = await startPlatform(
      {
        PORT: '0',
        METRICS_PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        REDIS_URL: redis.url,
        // Generous: the outage is a refused connection (instant); a loaded test machine must not look like one.
        CACHE_TIMEOUT_MS: '5000',
        INSTANCE_COUNT: String(INSTANCES),
        SEND_RATE_PER_MINUTE: String(SEND_RATE),
        AUTH_MAX_PER_IP: '1000',
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
      { openDb: () => openTestDb('real') },
    );
    base = platform.url;
  }, 120_000);

  afterAll(async () => {
    // Running again first, so the services close their Redis connections instead of waiting on them.
    await redis?.start();
    await platform?.stop();
    await redis?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps serving with Redis stopped, stops floods, revokes at once, pauses presence and typing with 503s, and after Redis returns resyncs sockets to 0 missing, 0 duplicates and serves nothing stale', async () => {
    // ---------- before: caches warm, sockets open ----------
    const alice = await register('alice');
    const bob = await register('bob');
    const carol = await register('carol');
    const dave = await register('dave');
    const group = await call('POST', '/api/v1/groups', alice.token, { name: 'Outage', memberIds: [bob.id, carol.id] });
    expect(group.status).toBe(201);
    const groupId: string = group.body.id;
    const direct = await call('POST', '/api/v1/conversations/direct', dave.token, { userId: alice.id });
    expect(direct.status).toBeLessThan(300);
    const directId: string = direct.body.id;

    // Wait for messages to know the group (event-driven), then fill the caches by using them.
    await expect.poll(async () => (await send(alice, groupId, 'before the outage')).status, WAIT).toBe(201);
    expect((await call('GET', `/api/v1/users/${alice.id}`, bob.token)).body.displayName).not.toBe('Alice during the outage');
    expect((await call('GET', `/api/v1/groups/${groupId}/members`, bob.token)).status).toBe(200);
    expect((await send(carol, groupId, 'carol is a member')).status).toBe(201);
    const secondSession = await logIn('alice');
    expect((await call('GET', '/api/v1/users/me', secondSession)).status).toBe(200);

    const bobClient = await connect(bob);
    // Alice's socket on a session of its own: her first one is revoked during the outage.
    const aliceClient = await connect({ ...alice, token: await logIn('alice') });
    for (const client of [bobClient, aliceClient]) client.track(groupId);
    expect((await call('GET', '/readyz')).body).toMatchObject({ status: 'ready' });
    // bob is connected: his profile says so, as /presence does (docs/presence.md).
    await expect.poll(async () => (await call('GET', `/api/v1/users/${bob.id}`, alice.token)).body.status, WAIT).toBe('online');

    // ---------- Redis down ----------
    await redis.stop();

    // register, log in, send, read history, search, upload, list groups
    const erin = await register('erin');
    const aliceAgain = await logIn('alice');
    expect((await call('GET', '/api/v1/users/me', aliceAgain)).body.username).toBe('alice');
    const sentDuringOutage: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const sent = await send(alice, groupId, `during the outage ${i} searchable-outage-word`);
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      sentDuringOutage.push(sent.body.id);
    }
    const history = await call('GET', `/api/v1/conversations/${groupId}/messages`, bob.token);
    expect(history.status).toBe(200);
    expect(history.body.items.map((m: Message) => m.id)).toEqual(expect.arrayContaining(sentDuringOutage));
    const search = await call('GET', '/api/v1/search/messages?q=searchable-outage-word', bob.token);
    expect(search.status).toBe(200);
    const boundary = 'outage-boundary';
    const upload = await call('POST', '/api/v1/files', bob.token, undefined, {
      type: `multipart/form-data; boundary=${boundary}`,
      data: Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
      ),
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    const groups = await call('GET', '/api/v1/groups', bob.token);
    expect(groups.status).toBe(200);
    expect(groups.body.items.map((g: { id: string }) => g.id)).toContain(groupId);
    expect((await call('GET', '/api/v1/conversations', erin.token)).status).toBe(200);

    // logout and revocation take effect at once
    expect((await call('POST', '/api/v1/auth/logout', secondSession)).status).toBe(204);
    expect((await call('GET', '/api/v1/users/me', secondSession)).status).toBe(401);
    // The session of alice's first token (its `sid` claim), ended from her newest one.
    const firstSessionId = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString()).sid as string;
    expect((await call('DELETE', `/api/v1/auth/sessions/${firstSessionId}`, aliceAgain)).status).toBe(204);
    expect((await call('GET', '/api/v1/users/me', alice.token)).status).toBe(401);
    alice.token = aliceAgain;

    // a flood is still stopped: 30 a minute over 3 instances is 10 in this process
    const flood = [];
    for (let i = 0; i < 15; i += 1) flood.push((await send(dave, directId, `flood ${i}`)).status);
    expect(flood.filter((status) => status === 201)).toHaveLength(SEND_RATE / INSTANCES);
    expect(flood.filter((status) => status === 429)).toHaveLength(15 - SEND_RATE / INSTANCES);

    // changes whose cache invalidation is lost: a profile, and a member removed from the group
    expect((await call('PATCH', '/api/v1/users/me', alice.token, { displayName: 'Alice during the outage' })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/groups/${groupId}/members/${carol.id}`, alice.token)).status).toBe(204);

    // no fallback: presence and typing pause with 503 / an error frame; readiness says degraded
    const presence = await call('GET', `/api/v1/presence?userIds=${bob.id}`, alice.token);
    expect(presence.status).toBe(503);
    expect(presence.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(presence.headers.get('retry-after'))).toBeGreaterThan(0);
    // Profiles keep the last known presence meanwhile: bob's socket is still open.
    expect((await call('GET', `/api/v1/users/${bob.id}`, alice.token)).body.status).toBe('online');
    (aliceClient as unknown as { socket: WebSocket }).socket.send(JSON.stringify({ type: 'typing', conversationId: groupId }));
    await expect.poll(() => aliceClient.frames.find((frame) => frame.type === 'error')?.data.code, WAIT).toBe('unavailable');
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks).toMatchObject({ redis: 'degraded' });
    const messagesReady = await fetch(`${platform.internal.messages}/readyz`);
    expect(messagesReady.status).toBe(200);
    expect(await messagesReady.json()).toEqual({ status: 'degraded', checks: { database: true, bus: true, redis: 'degraded' } });
    // Metrics are on the process's own metrics port (every service's series, by `service`).
    const metrics = await (await fetch(platform.metricsUrl)).text();
    expect(metrics).toMatch(/parley_degraded\{(?=[^}]*service="messages")(?=[^}]*dependency="redis")[^}]*\} 1/);

    // ---------- Redis back ----------
    await redis.start();
    for (const client of [bobClient, aliceClient]) {
      await expect.poll(() => client.frames.some((frame) => frame.type === 'resync' && frame.data.reason === 'live-path-interrupted'), WAIT).toBe(true);
    }
    // Every message of the group reached bob: live or by the resync fetch, once after de-duplication.
    expect(bobClient.failedFetches).toEqual([]);
    const everything = await call('GET', `/api/v1/conversations/${groupId}/messages?after=0`, bob.token);
    const all = (everything.body.items as Message[]).map((m) => m.id);
    await expect.poll(() => all.filter((id) => !bobClient.messages.has(id)), WAIT).toEqual([]);
    expect(new Set([...bobClient.messages.keys()]).size).toBe(bobClient.messages.size);
    for (const id of sentDuringOutage) expect(bobClient.messages.get(id)?.id).toBe(id);

    // nothing cached before the outage is served stale
    expect((await call('GET', `/api/v1/users/${alice.id}`, bob.token)).body.displayName).toBe('Alice during the outage');
    const members = await call('GET', `/api/v1/groups/${groupId}/members`, bob.token);
    expect(members.body.items.map((m: { userId: string }) => m.userId)).not.toContain(carol.id);
    expect((await send(carol, groupId, 'carol was removed')).status).toBeGreaterThanOrEqual(403);
    // sessions ended in the outage stay ended
    expect((await call('GET', '/api/v1/users/me', secondSession)).status).toBe(401);
    await expect.poll(async () => (await call('GET', '/readyz')).body.status, WAIT).toBe('ready');
    const presenceAfter = await call('GET', `/api/v1/presence?userIds=${bob.id}`, alice.token);
    expect(presenceAfter.status).toBe(200);
    expect(presenceAfter.body.items).toEqual([{ userId: bob.id, status: 'online' }]);
    expect((await call('GET', `/api/v1/users/${bob.id}`, alice.token)).body.status).toBe('online');

    bobClient.close();
    aliceClient.close();
  }, 180_000);
});
