import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response as read off the wire (interim 1xx answers are responses of their own). */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One keep-alive TCP connection spoken to in raw HTTP/1.1, so a test controls what fetch
 * hides: when the body goes out (after a 100 Continue, or not at all), what a second request
 * on the same connection gets, and whether the server closed it.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    // A reset after the server closed is one way of "closed"; readResponse reports it.
    socket.on('error', end);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes, ignoring a server that has stopped reading (EPIPE/reset show up in readResponse as a close). */
  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  /** The next response, or 'closed' when the server closed the connection before sending one. */
  async readResponse(): Promise<RawResponse | 'closed'> {
    const headEnd = await this.waitFor(() => {
      const index = this.buffer.indexOf('\r\n\r\n');
      return index >= 0 ? index : undefined;
    });
    if (headEnd === undefined) return 'closed';
    const [statusLine, ...headerLines] = this.buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
    const status = Number(statusLine!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    this.buffer = this.buffer.subarray(headEnd + 4);
    if (status < 200) return { status, headers, body: '' };
    const body = headers['transfer-encoding']?.includes('chunked') ? await this.readChunked() : await this.readLength(Number(headers['content-length'] ?? 0));
    if (body === undefined) return 'closed';
    return { status, headers, body };
  }

  /** The next final (non-1xx) response, or 'closed'. */
  async readFinalResponse(): Promise<RawResponse | 'closed'> {
    for (;;) {
      const response = await this.readResponse();
      if (response === 'closed' || response.status >= 200) return response;
    }
  }

  private async readLength(length: number): Promise<string | undefined> {
    const ready = await this.waitFor(() => (this.buffer.length >= length ? length : undefined));
    if (ready === undefined) return undefined;
    const body = this.buffer.subarray(0, length).toString('utf8');
    this.buffer = this.buffer.subarray(length);
    return body;
  }

  private async readChunked(): Promise<string | undefined> {
    let body = '';
    for (;;) {
      const lineEnd = await this.waitFor(() => {
        const index = this.buffer.indexOf('\r\n');
        return index >= 0 ? index : undefined;
      });
      if (lineEnd === undefined) return undefined;
      const size = parseInt(this.buffer.subarray(0, lineEnd).toString('latin1'), 16);
      this.buffer = this.buffer.subarray(lineEnd + 2);
      const chunk = await this.readLength(size + 2);
      if (chunk === undefined) return undefined;
      if (size === 0) return body;
      body += chunk.slice(0, -2);
    }
  }

  /** Waits until found() has an answer or the connection ended (then undefined). */
  private async waitFor<T>(found: () => T | undefined): Promise<T | undefined> {
    for (;;) {
      const value = found();
      if (value !== undefined) return value;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** A request head (no body) with CRLF line ends. */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  return `${method} ${path} HTTP/1.1\r\nhost: localhost\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}
