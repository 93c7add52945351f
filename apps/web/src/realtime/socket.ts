import type { ClientFrame, ServerFrame, wsCloseCodes } from '@parley/contracts';
import { SignedOutError, type TokenStore } from '../auth/tokens';

/*
 * The one WebSocket of the tab (docs/realtime.md): authenticate with the access token, send
 * each new token on the open socket, reconnect with exponential back-off and jitter, and after
 * every `ready` (and every `resync` frame) tell the app to resume: fetch the gaps by seq.
 */

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface RealtimeOptions {
  url: string;
  tokens: TokenStore;
  onFrame: (frame: ServerFrame) => void;
  /** After every ready and every resync: fill the gaps, refetch what may be stale. */
  onResume: (reason: 'ready' | 'resync') => void;
  onStatus: (status: ConnectionStatus) => void;
  onSignedOut: () => void;
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
}

// Type-only use of the contracts (a value import would bundle zod and gRPC code): the literal
// types make these fail to compile if the protocol's codes change.
const UNAUTHORIZED: (typeof wsCloseCodes)['unauthorized'] = 4001;
const SERVICE_RESTART: (typeof wsCloseCodes)['serviceRestart'] = 1012;
/** Closed by this client (dead or offline connection); 4000-4999 are free for applications. */
const CLIENT_GAVE_UP = 4000;

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const PING_EVERY_MS = 25_000;
/** No frame at all for this long (pongs included) means the connection is dead though not closed. */
const SILENCE_MS = 60_000;

export class RealtimeClient {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = true;
  private ready = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private unsubscribeTokens: (() => void) | undefined;
  private status: ConnectionStatus = 'connecting';

  constructor(private readonly options: RealtimeOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribeTokens = this.options.tokens.subscribe((token) => {
      if (token && this.ready) this.sendFrame({ type: 'auth', token });
    });
    globalThis.addEventListener?.('online', this.onOnline);
    globalThis.addEventListener?.('offline', this.onOffline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeTokens?.();
    globalThis.removeEventListener?.('online', this.onOnline);
    globalThis.removeEventListener?.('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    this.drop();
  }

  sendTyping(conversationId: string): void {
    if (this.ready) this.sendFrame({ type: 'typing', conversationId });
  }

  private readonly onOnline = (): void => {
    if (this.stopped) return;
    this.attempt = 0;
    // Whatever socket is left from before is not trusted: connect afresh at once.
    this.drop();
    clearTimeout(this.retryTimer);
    this.connect();
  };

  private readonly onOffline = (): void => {
    if (this.stopped) return;
    // A socket closed while offline may not report its close for a long time (no close
    // handshake can happen): forget it now, so `online` reconnects at once.
    this.drop();
    clearTimeout(this.retryTimer);
    this.setStatus('offline');
  };

  /** Detaches and closes the current socket without the reconnect its close would trigger. */
  private drop(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    this.ready = false;
    clearInterval(this.pingTimer);
    socket.onclose = null;
    socket.onmessage = null;
    socket.onopen = null;
    socket.close(CLIENT_GAVE_UP);
  }

  private connect(): void {
    this.setStatus(this.attempt === 0 && this.status !== 'offline' && this.status !== 'reconnecting' ? 'connecting' : 'reconnecting');
    const socket = (this.options.createSocket ?? ((url) => new WebSocket(url)))(this.options.url);
    this.socket = socket;
    this.ready = false;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      this.options.tokens.valid().then(
        (token) => this.sendFrame({ type: 'auth', token }),
        (error: unknown) => this.failAuth(error),
      );
    };
    socket.onmessage = (event: MessageEvent) => {
      this.lastHeard = Date.now();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.receive(frame);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      clearInterval(this.pingTimer);
      if (!this.stopped) this.afterClose(event.code);
    };
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        this.ready = true;
        this.attempt = 0;
        this.setStatus('online');
        this.startPings();
        this.options.onResume('ready');
        return;
      case 'resync':
        this.options.onResume('resync');
        return;
      case 'pong':
        return;
      default:
        this.options.onFrame(frame);
    }
  }

  private afterClose(code: number): void {
    if (code === UNAUTHORIZED) {
      // The token expired or was revoked: refresh (which fails for a revoked session), then reconnect.
      this.setStatus('reconnecting');
      this.options.tokens.refresh(this.options.tokens.current).then(
        () => this.connect(),
        (error: unknown) => this.failAuth(error),
      );
      return;
    }
    if (globalThis.navigator?.onLine === false) {
      this.setStatus('offline');
      return; // `online` reconnects
    }
    this.setStatus('reconnecting');
    const delay = code === SERVICE_RESTART ? 0 : this.backoff();
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private failAuth(error: unknown): void {
    if (error instanceof SignedOutError) {
      this.stop();
      this.options.onSignedOut();
      return;
    }
    // The refresh itself could not reach the server: try again later.
    this.setStatus('reconnecting');
    this.drop();
    this.retryTimer = setTimeout(() => this.connect(), this.backoff());
  }

  /** 0.5 s doubling to 30 s, with full jitter over the upper half so clients do not reconnect in step. */
  private backoff(): number {
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempt);
    this.attempt += 1;
    return ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2);
  }

  private startPings(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > SILENCE_MS) {
        this.drop();
        this.afterClose(CLIENT_GAVE_UP);
        return;
      }
      this.sendFrame({ type: 'ping' });
    }, PING_EVERY_MS);
  }

  private sendFrame(frame: ClientFrame): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus(status);
  }
}
