import { vi } from 'vitest';
import WebSocket from 'ws';

export const WAIT = { timeout: 15_000, interval: 20 };

export interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket client for tests (the `ws` package), recording every frame it receives. */
export class TestSocket {
  readonly frames: any[] = [];
  closedWith: Closed | undefined;
  readonly closed: Promise<Closed>;

  private constructor(readonly raw: WebSocket) {
    this.closed = new Promise((resolve) => {
      raw.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString('utf8') };
        resolve(this.closedWith);
      });
    });
    raw.on('message', (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      this.frames.push(isBinary ? { binary: text } : JSON.parse(text));
    });
    raw.on('error', () => undefined);
  }

  /** Opens a socket; rejects with `{status}` when the server refuses the handshake. */
  static connect(url: string, options: { origin?: string; autoPong?: boolean } = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const raw = new WebSocket(url, {
        ...(options.origin ? { origin: options.origin } : {}),
        autoPong: options.autoPong ?? true,
      });
      const socket = new TestSocket(raw);
      raw.once('open', () => resolve(socket));
      raw.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`handshake refused: ${response.statusCode}`), { status: response.statusCode }));
        raw.terminate();
      });
      raw.once('error', (error) => reject(error));
    });
  }

  /** Connects and authenticates; resolves once `ready` arrived. */
  static async authenticated(url: string, token: string): Promise<TestSocket> {
    const socket = await TestSocket.connect(url);
    socket.send({ type: 'auth', token });
    await socket.waitFor('ready');
    return socket;
  }

  get isOpen(): boolean {
    return this.raw.readyState === WebSocket.OPEN;
  }

  send(frame: unknown): void {
    this.raw.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  of(type: string, where: (data: any) => boolean = () => true): any[] {
    return this.frames.filter((frame) => frame.type === type && where(frame.data));
  }

  async waitFor(type: string, where: (data: any) => boolean = () => true): Promise<any> {
    return vi.waitFor(() => {
      const found = this.of(type, where)[0];
      if (!found) throw new Error(`no ${type} frame yet; got ${this.frames.map((f) => f.type).join(', ') || 'nothing'}`);
      return found;
    }, WAIT);
  }

  async waitClosed(): Promise<Closed> {
    return vi.waitFor(() => {
      if (!this.closedWith) throw new Error('still open');
      return this.closedWith;
    }, WAIT);
  }

  close(): void {
    if (this.raw.readyState === WebSocket.OPEN || this.raw.readyState === WebSocket.CONNECTING) this.raw.close();
  }
}

/** Closes every socket a test opened. */
export class Sockets {
  private readonly open: TestSocket[] = [];
  track(socket: TestSocket): TestSocket {
    this.open.push(socket);
    return socket;
  }
  async connect(url: string, options?: { origin?: string; autoPong?: boolean }): Promise<TestSocket> {
    return this.track(await TestSocket.connect(url, options));
  }
  async as(url: string, token: string): Promise<TestSocket> {
    return this.track(await TestSocket.authenticated(url, token));
  }
  closeAll(): void {
    for (const socket of this.open.splice(0)) socket.close();
  }
}

/** Waits until the condition holds (no timing assertion: it only bounds the wait). */
export async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  await vi.waitFor(async () => {
    if (!(await condition())) throw new Error('not yet');
  }, WAIT);
}

export async function waitForCount(socket: TestSocket, type: string, count: number): Promise<void> {
  await waitUntil(() => socket.of(type).length >= count);
}

/** Starting four services on fresh databases takes a while on a busy machine. */
export const STARTUP_MS = 180_000;
