import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '@parley/contracts';
import { TokenStore } from '../auth/tokens';
import { RealtimeClient, type ConnectionStatus } from './socket';

/** Just enough of a browser WebSocket to drive the client from a test. */
class FakeSocket {
  static readonly OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  /** Typed with the contracts' frames: a frame the protocol does not define fails to compile. */
  receive(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  let refreshes = 0;
  const storage = new Map<string, string>();
  const tokens = new TokenStore({
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value), removeItem: (key) => void storage.delete(key) },
    locks: undefined,
    fetch: async () => {
      refreshes += 1;
      return new Response(JSON.stringify({ accessToken: `access-${refreshes + 1}`, refreshToken: `refresh-${refreshes + 1}`, expiresIn: 900 }), { status: 200 });
    },
  });
  tokens.accept({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 900 });
  const resumes: string[] = [];
  const statuses: ConnectionStatus[] = [];
  const frames: unknown[] = [];
  const client = new RealtimeClient({
    url: 'ws://localhost/ws',
    tokens,
    onFrame: (frame) => frames.push(frame),
    onResume: (reason) => resumes.push(reason),
    onStatus: (status) => statuses.push(status),
    onSignedOut: () => statuses.push('offline'),
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    random: () => 0,
  });
  return { client, sockets, resumes, statuses, frames, tokens, refreshes: () => refreshes };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the realtime connection', () => {
  beforeEach(() => vi.stubGlobal('WebSocket', FakeSocket));
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('authenticates first, resumes on ready, and treats a resync frame like a reconnect', async () => {
    const { client, sockets, resumes, statuses, frames } = setup();
    client.start();
    sockets[0]!.open();
    await flush();
    expect(sockets[0]!.sent).toEqual([{ type: 'auth', token: 'access-1' }]);
    sockets[0]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    sockets[0]!.receive({ type: 'typing', data: { conversationId: 'c', userId: 'u2' } });
    sockets[0]!.receive({ type: 'resync', data: { reason: 'live-path-interrupted' } });
    expect(resumes).toEqual(['ready', 'resync']);
    expect(statuses.at(-1)).toBe('online');
    expect(frames).toEqual([{ type: 'typing', data: { conversationId: 'c', userId: 'u2' } }]);
    client.stop();
  });

  it('on close 4001 refreshes the token once, then reconnects and authenticates with the new one', async () => {
    const { client, sockets, refreshes } = setup();
    client.start();
    sockets[0]!.open();
    await flush();
    sockets[0]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    sockets[0]!.close(4001);
    await flush();
    await flush();
    expect(refreshes()).toBe(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    await flush();
    expect(sockets[1]!.sent).toEqual([{ type: 'auth', token: 'access-2' }]);
    client.stop();
  });

  it('sends each new access token on the open socket', async () => {
    const { client, sockets, tokens } = setup();
    client.start();
    sockets[0]!.open();
    await flush();
    sockets[0]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    tokens.accept({ accessToken: 'access-9', refreshToken: 'refresh-9', expiresIn: 900 });
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: 'auth', token: 'access-9' });
    client.stop();
  });

  it('going offline drops the socket at once, and coming back online connects a new one without waiting for the old close', async () => {
    const { client, sockets, statuses, resumes } = setup();
    client.start();
    sockets[0]!.open();
    await flush();
    sockets[0]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    sockets[0]!.onclose = null; // a close while offline may never be reported
    globalThis.dispatchEvent(new Event('offline'));
    expect(statuses.at(-1)).toBe('offline');
    globalThis.dispatchEvent(new Event('online'));
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    await flush();
    sockets[1]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    expect(resumes).toEqual(['ready', 'ready']);
    expect(statuses.at(-1)).toBe('online');
    client.stop();
  });

  it('after a lost connection, reconnects with growing back-off and resumes again', async () => {
    vi.useFakeTimers();
    const { client, sockets, resumes, statuses } = setup();
    client.start();
    sockets[0]!.open();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    sockets[0]!.close(1006);
    expect(statuses.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(249);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.close(1006); // failed again before ready: the wait doubles
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    sockets[2]!.open();
    await vi.advanceTimersByTimeAsync(0);
    sockets[2]!.receive({ type: 'ready', data: { userId: 'u', sessionId: 's' } });
    expect(resumes).toEqual(['ready', 'ready']);
    client.stop();
  });
});
