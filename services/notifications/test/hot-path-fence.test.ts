import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { wsCloseCodes } from '@parley/contracts';
import { createLogger, createMetrics, createHttpServer, loadConfig, unauthorized, type HttpServer } from '@parley/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { notificationsConfigSchema } from '../src/config.ts';
import type { HubSocket, SocketHub } from '../src/realtime/socket-hub.ts';
import { encodeTextFrame } from '../src/realtime/text-frame.ts';
import { createWsMetrics } from '../src/realtime/ws-metrics.ts';
import { realtimeRoutes, type Realtime } from '../src/realtime/ws.routes.ts';

/**
 * A fence around the two tricks of the WebSocket hot path that lean on the internals of `ws`,
 * `@fastify/websocket` and Node's HTTP server (docs/decisions.md, "Hot-path tricks ... fenced by a test"):
 *
 * 1. Frames are encoded once and written straight to the TCP socket (ClientConnection.deliver),
 *    beside ws's own writes. That is right only while ws writes to that same socket at once (no
 *    queue of its own, so the two kinds of frames stay in order) and while `ws.bufferedAmount`
 *    counts the socket's buffer (the slow-reader bound sees our bytes).
 * 2. The ServerResponse @fastify/websocket attaches to the upgraded socket (`_httpMessage`) is
 *    detached (releaseUpgradeResponse), so it, the request and fastify's Request/Reply do not
 *    live as long as an idle socket.
 *
 * Each test names what it relies on: when a dependency update breaks one, this file fails, not
 * production's memory or frame order. The realtime routes are the service's own, on a real
 * server and a real `ws` client; only the hub and the verifier are stand-ins.
 */

/** Node's garbage collector, for checking that nothing holds an object any more. */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** True once the object behind `ref` has been collected (a few rounds: WeakRefs live to the end of the current job). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  const gc = exposedGc();
  for (let round = 0; round < 10 && ref.deref() !== undefined; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

/** What the upgrade request left behind, held weakly so that holding it here keeps nothing alive. */
interface Upgrade {
  socket: WeakRef<Socket>;
  response: WeakRef<ServerResponse>;
  request: WeakRef<object>;
  /** Seen in onRequest, before the route's handler ran. */
  attachedBefore: boolean;
}

/** A client socket that logs, in arrival order, what the server sent: messages, pings, the close. */
class Client {
  readonly log: string[] = [];
  readonly closed: Promise<[number, Buffer]>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => this.log.push(isBinary ? 'binary' : `message ${(data as Buffer).toString('utf8')}`));
    ws.on('ping', () => this.log.push('ping'));
    this.closed = once(ws, 'close') as Promise<[number, Buffer]>;
  }
  static async open(url: string): Promise<Client> {
    const client = new Client(new WebSocket(url));
    await once(client.ws, 'open');
    return client;
  }
  /** The next message, or throws if the socket closes first. */
  async next(): Promise<string> {
    const [data] = (await once(this.ws, 'message')) as [Buffer];
    return data.toString('utf8');
  }
}

describe('hot-path tricks of the WebSocket server (ws, @fastify/websocket and node:http internals)', () => {
  let app: HttpServer;
  let realtime: Realtime;
  let url: string;
  const attached: HubSocket[] = [];
  const upgrades: Upgrade[] = [];

  const hub: SocketHub = {
    start: async () => undefined,
    attach: async (socket) => {
      attached.push(socket);
    },
    detach: () => undefined,
    userCount: () => attached.length,
    stop: async () => undefined,
  };

  beforeAll(async () => {
    const logger = createLogger('fence', 'silent');
    const metrics = createMetrics('fence');
    app = await createHttpServer({ service: 'fence', logger, metrics });
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url === '/ws') {
        const socket = request.raw.socket as Socket & { _httpMessage?: unknown };
        upgrades.push({
          socket: new WeakRef(socket),
          response: new WeakRef(reply.raw),
          request: new WeakRef(request),
          attachedBefore: socket._httpMessage === reply.raw && typeof reply.raw.detachSocket === 'function',
        });
      }
      done();
    });
    realtime = await realtimeRoutes(app, {
      config: loadConfig(notificationsConfigSchema, { LOG_LEVEL: 'silent', WS_MAX_BUFFERED_BYTES: String(64 * 1024 * 1024) }),
      hub,
      verifyToken: async (token) => {
        if (token !== 'good') throw unauthorized('The access token is not valid.');
        return { userId: 'u1', sessionId: 's1', expiresAt: Date.now() + 3_600_000 };
      },
      logger,
      metrics: createWsMetrics(metrics),
      typing: async () => undefined,
    });
    realtime.start();
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;
  });
  afterAll(async () => {
    await realtime?.stop();
    await app?.close();
  });

  /** A client authenticated through the real protocol; the server's side of it as the hub got it, and its ws and TCP socket. */
  const connect = async () => {
    const before = attached.length;
    const client = await Client.open(url);
    client.ws.send(JSON.stringify({ type: 'auth', token: 'good' }));
    expect(JSON.parse(await client.next())).toMatchObject({ type: 'ready' });
    const server = attached[before]!;
    const upgrade = upgrades.at(-1)!;
    const serverWs = [...app.websocketServer.clients].at(-1)!;
    return { client, server, upgrade, serverWs, tcp: upgrade.socket.deref()! };
  };

  it('ws writes to the very TCP socket the connection writes raw frames to', async () => {
    const { serverWs, tcp, client } = await connect();
    // ClientConnection gets request.raw.socket; ws must be writing to (and reading from) that one.
    expect((serverWs as unknown as { _socket: Socket })._socket).toBe(tcp);
    client.ws.close();
    await client.closed;
  });

  it("raw frames and ws's own frames (ping, close) reach a real ws client in the order they were written", async () => {
    const { client, server } = await connect();
    const connection = server as HubSocket & { ping(): void };
    connection.deliver(encodeTextFrame('first'));
    connection.ping();
    connection.deliver(encodeTextFrame(`second ${'x'.repeat(70_000)}`));
    connection.deliver(encodeTextFrame('third'));
    connection.close(wsCloseCodes.serviceRestart, 'bye');
    const [code, reason] = await client.closed;
    expect(client.log.slice(1)).toEqual(['message first', 'ping', `message second ${'x'.repeat(70_000)}`, 'message third']);
    expect([code, reason.toString('utf8')]).toEqual([wsCloseCodes.serviceRestart, 'bye']);
  });

  it('ws.bufferedAmount counts the bytes written raw to the socket (the slow-reader bound depends on it)', async () => {
    const { client, serverWs, tcp } = await connect();
    // The client stops reading: the kernel's buffers fill, then the socket's own.
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    const frame = encodeTextFrame('y'.repeat(1024 * 1024));
    for (let i = 0; i < 256 && tcp.writableLength === 0; i++) {
      tcp.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(tcp.writableLength).toBeGreaterThan(0);
    expect(serverWs.bufferedAmount).toBeGreaterThanOrEqual(tcp.writableLength);
    client.ws.terminate();
    await client.closed;
  });

  it('the upgrade response is detached: no reference to it, the request or its listener stays on an open socket', async () => {
    const { client, upgrade, tcp, serverWs } = await connect();
    // Before the handler ran, @fastify/websocket had assigned its ServerResponse to the socket
    // (if it stops doing so, releaseUpgradeResponse has nothing to do: re-check it).
    expect(upgrade.attachedBefore).toBe(true);
    expect((tcp as Socket & { _httpMessage?: unknown })._httpMessage ?? null).toBeNull();
    // node:http's ServerResponse listens for the socket's close while assigned.
    expect(tcp.listeners('close').map((listener) => listener.name)).not.toContain('onServerResponseClose');
    // @fastify/websocket's error listener (a closure over request and reply) was replaced by ours.
    expect(serverWs.listeners('error').map((listener) => listener.name)).toEqual(['onSocketError']);
    // While the socket stays open, the response and the request are garbage.
    expect(await collected(upgrade.response)).toBe(true);
    expect(await collected(upgrade.request)).toBe(true);
    client.ws.send(JSON.stringify({ type: 'ping' }));
    expect(JSON.parse(await client.next())).toEqual({ type: 'pong' });
    client.ws.close();
    await client.closed;
  });
});
