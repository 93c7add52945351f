import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpServer, type HttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { RawConnection, requestHead } from '../src/testing/raw-http.ts';

/** What every service answers at its edge (distributed mode has no gateway in front of a direct caller). */
describe('the HTTP server factory at the edge', () => {
  let app: HttpServer;
  let port: number;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    app = await createHttpServer({
      service: 'test',
      logger: createLogger('test', 'info', destination),
      metrics: createMetrics('test'),
      accessLogLevel: 'info',
    });
    app.post('/api/v1/echo', { schema: { body: z.object({ name: z.string() }) } }, async (request) => request.body);
    app.get('/api/v1/me', async (request) => {
      request.log.info('handling');
      return { email: 'private@example.test' };
    });
    app.get('/api/v1/public-image', async (_request, reply) => reply.header('cache-control', 'public, max-age=60').send('image'));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('API answers are neither cached nor sniffed; a public route keeps its own Cache-Control; health is not an API answer', async () => {
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(me.headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await fetch(`http://127.0.0.1:${port}/api/v1/missing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
    const image = await fetch(`http://127.0.0.1:${port}/api/v1/public-image`);
    expect(image.headers.get('cache-control')).toBe('public, max-age=60');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).headers.get('cache-control')).toBeNull();
  });

  it('a body declared over the limit answers 413 problem+json while the client is still sending, and the connection serves the next request', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(1_000_000) });
    const connection = await RawConnection.open(port);
    connection.write(requestHead('POST', '/api/v1/echo', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }));
    connection.write(body);
    const response = await connection.readFinalResponse();
    expect(response === 'closed' ? 'closed' : [response.status, response.headers['content-type'], response.headers.connection]).toEqual([
      413,
      'application/problem+json; charset=utf-8',
      'keep-alive',
    ]);
    connection.write(requestHead('GET', '/healthz', {}));
    const next = await connection.readFinalResponse();
    expect(next === 'closed' ? 'closed' : next.status).toBe(200);
    connection.close();
  });

  it('a chunked body over the limit answers 413 problem+json', async () => {
    const connection = await RawConnection.open(port);
    connection.write(requestHead('POST', '/api/v1/echo', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 8; i += 1) connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    connection.write('0\r\n\r\n');
    const response = await connection.readFinalResponse();
    expect(response === 'closed' ? 'closed' : response.status).toBe(413);
    connection.close();
  });

  it('writes one access line per request, at the level asked for, with the request id once', async () => {
    lines.length = 0;
    await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { 'x-request-id': 'edge-test-1' } });
    const ofRequest = lines.filter((line) => line.requestId === 'edge-test-1');
    expect(ofRequest.map((line) => line.msg)).toEqual(['handling', 'request']);
    const access = ofRequest.find((line) => line.msg === 'request')!;
    expect(access).toMatchObject({ level: 30, service: 'test', method: 'GET', url: '/api/v1/me', status: 200 });
  });

  it('a log line names the request id once (pino writes a repeated key twice)', async () => {
    lines.length = 0;
    const raw: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        raw.push(chunk.toString('utf8'));
        callback();
      },
    });
    const server = await createHttpServer({
      service: 'once',
      logger: createLogger('once', 'info', destination),
      metrics: createMetrics('once'),
      accessLogLevel: 'info',
    });
    server.get('/api/v1/x', async (request) => {
      request.log.info('inside');
      return {};
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    await fetch(`http://127.0.0.1:${(server.server.address() as AddressInfo).port}/api/v1/x`, { headers: { 'x-request-id': 'once-1' } });
    await server.close();
    const written = raw
      .join('')
      .split('\n')
      .filter((line) => line.includes('once-1'));
    expect(written).toHaveLength(2);
    for (const line of written) expect(line.match(/"requestId"/g)).toHaveLength(1);
  });
});
