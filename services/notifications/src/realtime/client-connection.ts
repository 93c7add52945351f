import { parseClientFrame, wsCloseCodes, type ErrorFrameData, type ServerFrame } from '@parley/contracts';
import { isAppError, type Logger, type TokenVerifier } from '@parley/kit';
import type { Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import type { NotificationsConfig } from '../config.ts';
import type { ExpiryWheel } from './expiry-wheel.ts';
import type { HubSocket, SocketHub } from './socket-hub.ts';
import { encodeTextFrame } from './text-frame.ts';
import { TokenBucket } from './token-bucket.ts';
import { dropReasonOf, type DropReason, type WsMetrics } from './ws-metrics.ts';

export interface ConnectionDeps {
  config: Pick<NotificationsConfig, 'WS_AUTH_TIMEOUT_MS' | 'WS_MAX_FRAMES_PER_SECOND' | 'WS_FRAME_BURST' | 'WS_MAX_BUFFERED_BYTES'>;
  hub: SocketHub;
  /** Closes sockets whose token expired, to the second, with one timer for all of them. */
  expiry: ExpiryWheel<ClientConnection>;
  verifyToken: TokenVerifier;
  logger: Logger;
  metrics: WsMetrics;
  /** Relays a typing frame (checks membership); throws an AppError for the error frame. */
  typing(userId: string, conversationId: string): Promise<void>;
  /** Told once the underlying socket has closed. */
  closed?(connection: ClientConnection): void;
}

/** A member typing continuously is relayed at most this often per conversation. */
const TYPING_INTERVAL_MS = 2000;
/** After a close frame, how long the peer has to answer before the TCP connection is cut. */
const CLOSE_GRACE_MS = 2000;

const textOf = (data: RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');

/** The connection a `ws` socket belongs to: lets every socket share the listener functions below instead of three closures each. */
const CONNECTION = Symbol('connection');
type Owned = WebSocket & { [CONNECTION]?: ClientConnection };
function onMessage(this: Owned, data: RawData, isBinary: boolean): void {
  this[CONNECTION]?.onFrame(data, isBinary);
}
function onPong(this: Owned): void {
  const connection = this[CONNECTION];
  if (connection) connection.alive = true;
}
function onClose(this: Owned): void {
  this[CONNECTION]?.onClosed();
}
/** Where a socket's frame queue starts: one settled promise shared by every idle socket. */
const IDLE: Promise<void> = Promise.resolve();

/** Close reasons are at most 123 bytes. */
const reasonOf = (text: string): string => (Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 120).toString('utf8')}...`);

/**
 * One client socket and the protocol of API.md: the first frame authenticates (within the
 * timeout), `auth` again renews the token, `typing` and `ping` after that. Frames are handled one
 * at a time in arrival order. Bad frames get an `error` frame and the socket stays open; a flood
 * (1008), an oversized frame (1009, by ws itself), a missing, bad, expired or revoked token (4001)
 * close it, and so does a send buffer grown past its bound (1013, the client reads too slowly).
 *
 * Thousands of these stay open and idle, so each keeps only what it needs: no timer once
 * authenticated (the token's expiry is an entry in the shared expiry wheel), listeners shared by all
 * sockets, the typing throttle created on first use.
 */
export class ClientConnection implements HubSocket {
  userId = '';
  sessionId = '';
  /** Set by the heartbeat before a ping, cleared by the pong. */
  alive = true;
  private token: string | undefined;
  private state: 'new' | 'ready' | 'closed' = 'new';
  private attached = false;
  /** When the accepted token expires (ms since the epoch); the expiry wheel closes the socket then. */
  expiresAt = Number.POSITIVE_INFINITY;
  private readonly bucket: TokenBucket;
  private authTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = IDLE;
  private typingAt: Map<string, number> | undefined;

  /**
   * @param tcp the socket's TCP connection: encoded frames are written to it directly (ws queues
   * nothing of its own here: no compression, no Blobs, so its writes and ours stay in order, and
   * `bufferedAmount` counts both). Relies on ws internals: test/hot-path-fence.test.ts fails if
   * they change.
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly tcp: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.bucket = new TokenBucket(deps.config.WS_MAX_FRAMES_PER_SECOND, deps.config.WS_FRAME_BURST);
    this.authTimer = setTimeout(() => this.close(wsCloseCodes.unauthorized, 'No auth frame in time.'), deps.config.WS_AUTH_TIMEOUT_MS);
    (ws as Owned)[CONNECTION] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('close', onClose);
  }

  get authenticated(): boolean {
    return this.state === 'ready';
  }

  /** The token last accepted, for the periodic session re-check. */
  get currentToken(): string | undefined {
    return this.token;
  }

  deliver(frame: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN || this.state === 'closed') return;
    // At most the bound plus one frame is ever queued for a socket.
    if (this.ws.bufferedAmount > this.deps.config.WS_MAX_BUFFERED_BYTES) {
      this.deps.logger.info({ userId: this.userId, buffered: this.ws.bufferedAmount }, 'dropping a socket that reads too slowly');
      this.close(wsCloseCodes.tryAgainLater, 'Too slow to keep up; reconnect and fetch the gap.', 'slow_reader');
      return;
    }
    this.tcp.write(frame);
    this.deps.metrics.framesOut++;
  }

  send(frame: ServerFrame): void {
    this.deliver(encodeTextFrame(JSON.stringify(frame)));
  }

  close(code: number, reason: string, drop: DropReason = dropReasonOf(code)): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.deps.metrics.dropped(drop);
    this.clearTimers();
    this.forgetExpiry();
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reasonOf(reason));
    // A peer that never answers the close frame (or never reads) must not hold the socket.
    this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.killTimer.unref();
  }

  terminate(): void {
    this.state = 'closed';
    this.clearTimers();
    this.forgetExpiry();
    this.ws.terminate();
  }

  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  /** Calls back once the underlying socket has closed (at once if it already has). */
  onceClosed(callback: () => void): void {
    if (this.ws.readyState === WebSocket.CLOSED) callback();
    else this.ws.once('close', callback);
  }

  /** Closes the socket with 4001 if its token has expired; true if it did. */
  closeIfExpired(now: number): boolean {
    if (this.expiresAt > now) return false;
    this.close(wsCloseCodes.unauthorized, 'The access token has expired.');
    return true;
  }

  /** @internal called by the shared `message` listener. */
  onFrame(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    this.deps.metrics.framesIn++;
    if (!this.bucket.take()) {
      this.close(wsCloseCodes.policyViolation, 'Too many frames.');
      return;
    }
    const text = isBinary ? undefined : textOf(data);
    const queued: Promise<void> = this.queue
      .then(() => this.handle(text))
      .catch((err: unknown) => {
        this.deps.logger.error({ err, userId: this.userId }, 'websocket frame handling failed');
        this.close(1011, 'Internal error.');
      })
      .finally(() => {
        // Drop the settled chain so an idle socket holds the shared promise only.
        if (this.queue === queued) this.queue = IDLE;
      });
    this.queue = queued;
  }

  private async handle(text: string | undefined): Promise<void> {
    if (this.state === 'closed') return;
    const parsed = text === undefined ? ({ ok: false, error: { code: 'bad_frame', message: 'Frames must be JSON text.' } } as const) : parseClientFrame(text);
    if (this.state === 'new' && !(parsed.ok && parsed.frame.type === 'auth')) {
      this.close(wsCloseCodes.unauthorized, 'The first frame must be {"type":"auth","token":...}.');
      return;
    }
    if (!parsed.ok) {
      this.sendError(parsed.error);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'auth':
        await this.authenticate(frame.token);
        return;
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'typing':
        await this.typing(frame.conversationId);
        return;
    }
  }

  private async authenticate(token: string): Promise<void> {
    let auth;
    try {
      auth = await this.deps.verifyToken(token);
    } catch (error) {
      if (isAppError(error) && error.httpStatus === 401) this.close(wsCloseCodes.unauthorized, error.message);
      else {
        this.deps.logger.warn({ err: error }, 'token verification unavailable');
        this.close(wsCloseCodes.tryAgainLater, 'Authentication is unavailable; try again.');
      }
      return;
    }
    if (this.state === 'closed') return;
    if (this.state === 'ready' && auth.userId !== this.userId) {
      this.close(wsCloseCodes.unauthorized, 'The token belongs to another user.');
      return;
    }
    // The verifier answers the token's expiry (its `exp` claim); the socket ends then.
    const { expiresAt } = auth;
    if (expiresAt <= Date.now()) {
      this.close(wsCloseCodes.unauthorized, 'The access token has expired.');
      return;
    }
    this.token = token;
    this.sessionId = auth.sessionId;
    const previous = this.expiresAt;
    this.expiresAt = expiresAt;
    this.deps.expiry.schedule(this, this.expiresAt, previous);
    if (this.state === 'new') {
      this.clearTimers();
      this.userId = auth.userId;
      this.state = 'ready';
      this.attached = true;
      try {
        await this.deps.hub.attach(this);
      } catch (error) {
        this.attached = false;
        this.deps.logger.warn({ err: error, userId: this.userId }, 'subscribing the user channel failed');
        this.close(wsCloseCodes.tryAgainLater, 'Real-time delivery is unavailable; try again.');
        return;
      }
      if (this.state !== 'ready') return;
    }
    this.send({ type: 'ready', data: { userId: this.userId, sessionId: this.sessionId } });
  }

  private async typing(conversationId: string): Promise<void> {
    const now = Date.now();
    this.typingAt ??= new Map();
    const last = this.typingAt.get(conversationId);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return;
    if (this.typingAt.size >= 100) this.typingAt.clear();
    this.typingAt.set(conversationId, now);
    try {
      await this.deps.typing(this.userId, conversationId);
    } catch (error) {
      if (!isAppError(error)) throw error;
      this.sendError({ code: error.code, message: error.message });
    }
  }

  private sendError(error: ErrorFrameData): void {
    this.send({ type: 'error', data: error });
  }

  private forgetExpiry(): void {
    this.deps.expiry.cancel(this, this.expiresAt);
    this.expiresAt = Number.POSITIVE_INFINITY;
  }

  private clearTimers(): void {
    clearTimeout(this.authTimer);
    this.authTimer = undefined;
  }

  /** @internal called by the shared `close` listener. */
  onClosed(): void {
    this.state = 'closed';
    this.clearTimers();
    this.forgetExpiry();
    clearTimeout(this.killTimer);
    if (this.attached) {
      this.attached = false;
      this.deps.hub.detach(this);
    }
    this.deps.closed?.(this);
  }
}
