import fastifyWebsocket from '@fastify/websocket';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { wsCloseCodes } from '@parley/contracts';
import { every, forbidden, isAppError, type Every, type HttpServer, type Logger, type TokenVerifier } from '@parley/kit';
import type { NotificationsConfig } from '../config.ts';
import { ClientConnection } from './client-connection.ts';
import { ExpiryWheel } from './expiry-wheel.ts';
import { isOriginAllowed } from './origin.ts';
import type { SocketHub } from './socket-hub.ts';
import type { WsMetrics } from './ws-metrics.ts';

export interface RealtimeDeps {
  config: NotificationsConfig;
  hub: SocketHub;
  verifyToken: TokenVerifier;
  logger: Logger;
  metrics: WsMetrics;
  typing(userId: string, conversationId: string): Promise<void>;
}

export interface Realtime {
  /** Starts the heartbeat (pings every socket, terminates those that missed the previous ping) and the token-expiry wheel. */
  start(): void;
  /** Closes every socket with 1012 (clients reconnect, to another instance) and stops the heartbeat. */
  stop(): Promise<void>;
  connectionCount(): number;
}

const headerOf = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * Protocol errors (oversize, bad UTF-8, ...) were already answered by ws with a close frame;
 * cutting the connection at once could drop it before it is written. One function for every
 * socket: @fastify/websocket's own listener closes over the upgrade request and reply, which
 * would then live as long as the socket (kilobytes per idle socket).
 */
function socketErrorHandler(metrics: WsMetrics): (this: WebSocket, error?: Error) => void {
  return function onSocketError(this: WebSocket, error?: Error): void {
    const code = (error as { code?: unknown } | undefined)?.code;
    metrics.dropped(code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'protocol_error');
    setTimeout(() => this.terminate(), 2000).unref();
  };
}

/**
 * @fastify/websocket routes the upgrade through a ServerResponse attached to the TCP socket
 * (`assignSocket`), which keeps that response, the request, fastify's Request/Reply and the
 * request's logger alive as long as the socket (~2 KB per idle socket). Nothing is ever written
 * to it after the handshake, so it is detached here. Relies on @fastify/websocket and node:http
 * internals: test/hot-path-fence.test.ts fails if they change.
 */
function releaseUpgradeResponse(socket: Socket): void {
  const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (response && typeof response.detachSocket === 'function') response.detachSocket(socket);
}

/** `GET /ws`: the WebSocket of API.md, with its origin check, limits and heartbeat. */
export async function realtimeRoutes(app: HttpServer, deps: RealtimeDeps): Promise<Realtime> {
  const { config, logger } = deps;
  const connections = new Set<ClientConnection>();
  const expiry = new ExpiryWheel<ClientConnection>((connection) => connection.closeIfExpired(Date.now()));
  const connectionDeps = { ...deps, expiry, closed: (connection: ClientConnection) => connections.delete(connection) };
  const onSocketError = socketErrorHandler(deps.metrics);
  deps.metrics.countSockets(() => connections.size);

  await app.register(fastifyWebsocket, {
    options: {
      // Bigger frames close the socket with 1009 (ws does it before buffering the frame).
      maxPayload: config.WS_MAX_FRAME_BYTES,
      perMessageDeflate: false,
    },
    errorHandler(error, socket) {
      onSocketError.call(socket, error);
    },
    // stop() closes the sockets itself; this only catches what is left when the server closes.
    preClose(done) {
      for (const connection of connections) connection.terminate();
      done();
    },
  });

  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request) => {
        const host = headerOf(request.headers['x-forwarded-host']) ?? request.headers.host;
        if (!isOriginAllowed(headerOf(request.headers.origin), host, config.WS_ALLOWED_ORIGINS)) {
          throw forbidden('This origin may not open a WebSocket here.');
        }
      },
    },
    (socket, request) => {
      socket.removeAllListeners('error');
      socket.on('error', onSocketError);
      releaseUpgradeResponse(request.raw.socket);
      connections.add(new ClientConnection(socket, request.raw.socket, connectionDeps));
    },
  );

  let heartbeat: Every | undefined;
  let beats = 0;
  const beat = (): void => {
    const now = Date.now();
    // Sockets of one session usually share a token: it is checked once per sweep, not once per socket.
    const checks = new Map<string, Promise<unknown>>();
    // With more sockets than WS_SESSION_RECHECKS_PER_BEAT, each beat re-checks one slice of them in turn.
    const slices = Math.max(1, Math.ceil(connections.size / config.WS_SESSION_RECHECKS_PER_BEAT));
    const slice = beats++ % slices;
    let index = 0;
    for (const connection of connections) {
      const inSlice = index++ % slices === slice;
      if (!connection.alive) {
        deps.metrics.dropped('heartbeat_timeout');
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
      // The expiry wheel closes expired sockets to the second; this is only a backstop.
      if (connection.closeIfExpired(now)) continue;
      // Revocations arrive as events within a second; this re-check covers a lost or late one.
      const token = connection.currentToken;
      if (inSlice && connection.authenticated && token) {
        let check = checks.get(token);
        if (!check) {
          check = deps.verifyToken(token);
          checks.set(token, check);
        }
        check.catch((error: unknown) => {
          if (isAppError(error) && error.httpStatus === 401) connection.close(wsCloseCodes.unauthorized, error.message);
        });
      }
    }
  };

  return {
    start() {
      heartbeat = every(config.WS_HEARTBEAT_SECONDS * 1000, beat, { logger, what: 'websocket heartbeat' });
      expiry.start();
    },
    async stop() {
      await heartbeat?.stop();
      expiry.stop();
      const closing = [...connections];
      const closed = closing.map(
        (connection) =>
          new Promise<void>((resolve) => {
            if (!connections.has(connection)) resolve();
            else connection.onceClosed(resolve);
          }),
      );
      for (const connection of closing) connection.close(wsCloseCodes.serviceRestart, 'Server restarting; reconnect.');
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2500).unref())]);
      for (const connection of connections) connection.terminate();
      logger.debug({ sockets: closing.length }, 'websockets closed');
    },
    connectionCount: () => connections.size,
  };
}
