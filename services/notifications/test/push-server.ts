import { createDecipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A stand-in for a browser vendor's push service, on 127.0.0.1: it records every push and
 * answers 201, or whatever status a test sets for an endpoint (410 for an expired one).
 */
export class LocalPushService {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
    /** Every push received, in arrival order. */
    readonly received: ReceivedPush[],
    /** Status to answer per path (default 201). */
    readonly answers: Map<string, number>,
  ) {}

  static async start(): Promise<LocalPushService> {
    const received: ReceivedPush[] = [];
    const answers = new Map<string, number>();
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        received.push({ path, headers: request.headers, body: Buffer.concat(chunks) });
        response.statusCode = answers.get(path) ?? 201;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LocalPushService(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, answers);
  }

  to(path: string): ReceivedPush[] {
    return this.received.filter((push) => push.path === path);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A browser's side of a subscription: its key pair and auth secret, able to read what it receives. */
export class BrowserSubscription {
  private readonly ecdh: ECDH = createECDH('prime256v1');
  private readonly secret = randomBytes(16);
  constructor(readonly endpoint: string) {
    this.ecdh.generateKeys();
  }

  toJSON() {
    return {
      endpoint: this.endpoint,
      expirationTime: null,
      keys: { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.secret.toString('base64url') },
    };
  }

  /** Decrypts an aes128gcm Web Push body (RFC 8188 + RFC 8291) to its text. */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const idLength = body[20]!;
    const serverPublic = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    const shared = this.ecdh.computeSecret(serverPublic);
    const info = Buffer.concat([Buffer.from('WebPush: info\0'), this.ecdh.getPublicKey(), serverPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, this.secret, info, 32));
    const key = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = plain.length - 1;
    while (end > 0 && plain[end] === 0) end -= 1;
    return plain.subarray(0, end).toString('utf8'); // drops the 0x02 delimiter of the last record
  }
}
