/**
 * A bench client that follows docs/realtime.md: one socket, one conversation. Live frames plus
 * gap fetches on `resync`, on a reconnect and on a hole in `seq`, de-duplicated by message id.
 * `lastSeq` only moves over contiguous seqs: a live frame beyond a hole does not hide the hole,
 * it triggers a gap fetch (Resuming, rule 4).
 *
 * Besides what it shows (`seen`), it counts what a fault bench judges the server by: live frames
 * of a message it already had (the server sent it twice), live frames out of seq order, and how
 * long its reconnects took. A closed socket reconnects to the next of `ports` (the other
 * notifications instance, as a load balancer would pick).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { call, type Answer } from './api.ts';

export interface ClientUser {
  id: string;
  username: string;
  token: string;
  room: number;
}

interface LiveMessage {
  id: string;
  seq: number;
  conversationId: string;
}

export class RealtimeClient {
  /** Message id → seq of everything this client has, live or fetched. */
  readonly seen = new Map<string, number>();
  lastSeq = 0;
  private readonly ahead = new Set<number>();
  private fetchQueued = false;
  resyncFrames = 0;
  reconnects = 0;
  /** Live frames of a message this client already had from a live frame. */
  duplicateLiveFrames = 0;
  /** Live frames whose seq is not above the previous live frame's. */
  outOfOrderLiveFrames = 0;
  /** Messages that reached this client by a gap fetch, not live. */
  fetchedNotLive = 0;
  failedFetches = 0;
  /** Milliseconds from each unexpected close to `ready` again. */
  readonly reconnectMs: number[] = [];
  /** The port this client's socket is on (or was last on). */
  port: number;
  private lastLiveSeq = 0;
  private readonly live = new Set<string>();
  private socket: WebSocket | undefined;
  private closing = false;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    readonly api: string,
    readonly user: ClientUser,
    readonly conversationId: string,
    private readonly ports: readonly number[],
    first = 0,
  ) {
    this.port = ports[first % ports.length]!;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${this.port}/ws`);
      this.socket = socket;
      let ready = false;
      socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.user.token })));
      socket.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8'));
        if (frame.type === 'ready' && !ready) {
          ready = true;
          resolve();
        } else if (frame.type === 'message.created') {
          this.liveFrame(frame.data.message);
        } else if (frame.type === 'resync') {
          this.resyncFrames += 1;
          this.resync();
        }
      });
      socket.on('error', (error) => {
        if (!ready) reject(error);
      });
      socket.on('close', () => {
        if (!ready) reject(new Error('closed before ready'));
        else if (!this.closing) void this.reconnect();
      });
    });
  }

  /** Opens the socket, retrying a refusal (an overloaded machine answers 1013 now and then). */
  async openWithRetries(attempts = 10): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.open();
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        await sleep(500 * attempt);
      }
    }
  }

  private async reconnect(): Promise<void> {
    this.reconnects += 1;
    const lostAt = performance.now();
    for (let attempt = 0; ; attempt += 1) {
      // The next instance first, at once: the one that dropped us may be gone.
      this.port = this.ports[(this.ports.indexOf(this.port) + 1) % this.ports.length]!;
      if (attempt > 0) await sleep(Math.min(5000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
      try {
        await this.open();
        this.reconnectMs.push(performance.now() - lostAt);
        this.resync(); // after any reconnect, as after a resync frame
        return;
      } catch {
        // try again
      }
    }
  }

  private liveFrame(message: LiveMessage): void {
    if (message.conversationId !== this.conversationId) return;
    if (this.live.has(message.id)) this.duplicateLiveFrames += 1;
    this.live.add(message.id);
    if (message.seq <= this.lastLiveSeq) this.outOfOrderLiveFrames += 1;
    this.lastLiveSeq = Math.max(this.lastLiveSeq, message.seq);
    this.keep(message);
  }

  private keep(message: LiveMessage): void {
    if (message.conversationId !== this.conversationId) return;
    this.seen.set(message.id, message.seq);
    if (message.seq > this.lastSeq) this.ahead.add(message.seq);
    while (this.ahead.delete(this.lastSeq + 1)) this.lastSeq += 1;
    if (this.ahead.size > 0) this.resync();
  }

  resync(): void {
    if (this.fetchQueued) return;
    this.fetchQueued = true;
    this.syncing = this.syncing.then(async () => {
      this.fetchQueued = false;
      let after: string | null = String(this.lastSeq);
      while (after !== null) {
        const page: Answer | undefined = await call(this.api, 'GET', `/api/v1/conversations/${this.conversationId}/messages?after=${after}`, this.user.token).catch(
          () => undefined,
        );
        if (page?.status !== 200) {
          this.failedFetches += 1;
          // Try again a little later: a client does not give up on its history.
          setTimeout(() => this.resync(), 1000);
          return;
        }
        for (const message of page.json.items as LiveMessage[]) {
          if (!this.seen.has(message.id)) this.fetchedNotLive += 1;
          this.keep(message);
        }
        after = page.json.nextCursor;
      }
    });
  }

  close(): void {
    this.closing = true;
    this.socket?.terminate();
  }
}

export interface ClientTotals {
  clients: number;
  reconnects: number;
  resyncFrames: number;
  duplicateLiveFrames: number;
  outOfOrderLiveFrames: number;
  fetchedNotLive: number;
  failedFetches: number;
  /** Longest time from a socket's loss to `ready` on another, ms. */
  worstReconnectMs: number;
}

export function totals(clients: readonly RealtimeClient[]): ClientTotals {
  const sum = (pick: (c: RealtimeClient) => number): number => clients.reduce((total, c) => total + pick(c), 0);
  return {
    clients: clients.length,
    reconnects: sum((c) => c.reconnects),
    resyncFrames: sum((c) => c.resyncFrames),
    duplicateLiveFrames: sum((c) => c.duplicateLiveFrames),
    outOfOrderLiveFrames: sum((c) => c.outOfOrderLiveFrames),
    fetchedNotLive: sum((c) => c.fetchedNotLive),
    failedFetches: sum((c) => c.failedFetches),
    worstReconnectMs: Math.round(Math.max(0, ...clients.flatMap((c) => c.reconnectMs))),
  };
}
