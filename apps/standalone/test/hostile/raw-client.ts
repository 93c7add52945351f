import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query, already encoded as they should go on the wire. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Sends `Expect: 100-continue` and holds the body back until the server says 100 (or 1 s passes, as curl does). */
  expectContinue?: boolean;
}

export interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Set when no answer came: a timeout ("hang") or the connection failing before a response. */
  failure?: string;
}

/**
 * An HTTP client that sends exactly the bytes it is given (invalid JSON, invalid UTF-8, any
 * content type, Expect: 100-continue), which fetch does not allow, with a deadline per request.
 */
export function createRawClient(origin: string, timeoutMs: number, maxSockets = 8) {
  const base = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets });

  const send = (request: RawRequest): Promise<RawAnswer> =>
    new Promise<RawAnswer>((resolve) => {
      let settled = false;
      const done = (answer: RawAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(answer);
      };
      const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
      const headers: Record<string, string> = { ...request.headers };
      if (body) headers['content-length'] = String(body.length);
      if (request.expectContinue) headers.expect = '100-continue';
      const req = http.request({ host: base.hostname, port: base.port, method: request.method, path: request.path, headers, agent });
      const deadline = setTimeout(() => {
        req.destroy();
        done({ status: 0, contentType: '', body: '', failure: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          // A final answer before the body was sent (to Expect: 100-continue): the request can never finish on this connection.
          if (!req.writableEnded) req.destroy();
          done({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (error) => done({ status: res.statusCode ?? 0, contentType: '', body: '', failure: `response broke: ${error.message}` }));
      });
      req.on('error', (error) => done({ status: 0, contentType: '', body: '', failure: `connection failed: ${error.message}` }));
      if (!body) {
        req.end();
      } else if (request.expectContinue) {
        let sent = false;
        const sendBody = (): void => {
          if (sent || req.destroyed) return;
          sent = true;
          req.end(body);
        };
        req.on('continue', sendBody);
        req.on('response', () => {
          sent = true;
        });
        setTimeout(sendBody, 1000).unref();
      } else {
        req.end(body);
      }
    });

  return { send, close: () => agent.destroy() };
}
