import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger, DEFAULT_BODY_LIMIT_BYTES } from '@parley/kit';
import { adapterKinds, apiFor, createTestAdapters, expectProblem, openTestDb, RawConnection, requestHead, type Api, type RawResponse } from '@parley/kit/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startPlatform, type Platform } from '../../../apps/standalone/src/platform.ts';

/**
 * The public edge as a client meets it: the gateway in front of the real services (the
 * standalone wiring, on ephemeral ports), spoken to over real HTTP, often raw, so that what a
 * client library hides (interim answers, the connection after an error) is seen.
 */
describe.each(adapterKinds())('the gateway in front of the services (%s)', (kind) => {
  let platform: Platform;
  let api: Api;
  let token: string;
  let groupId: string;

  beforeAll(async () => {
    platform = await startPlatform(
      { PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000', AUTH_MAX_PER_IP: '1000' },
      { adapters: createTestAdapters(kind, createLogger('test', 'silent')), openDb: () => openTestDb(kind) },
    );
    api = apiFor(platform.url);
    const name = `edge${randomUUID().slice(0, 8)}`;
    const registered = await api('POST', '/api/v1/auth/register', { body: { username: name, email: `${name}@example.test`, password: 'a-good-password' } });
    expect(registered.status).toBe(201);
    token = registered.body.accessToken as string;
    const group = await api('POST', '/api/v1/groups', { token, body: { name: 'Edge' } });
    expect(group.status).toBe(201);
    groupId = group.body.id as string;
  }, 300_000);
  afterAll(() => platform?.stop());

  const expectProblemOnWire = (response: RawResponse | 'closed', status: number) => {
    expect(response).not.toBe('closed');
    const { status: got, headers, body } = response as RawResponse;
    expect(got, body).toBe(status);
    expect(headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(body)).toMatchObject({ status });
  };

  /** The same connection answers another request: the one before left it in a usable state. */
  const expectUsable = async (connection: RawConnection) => {
    connection.write(requestHead('GET', '/healthz', {}));
    const next = await connection.readFinalResponse();
    expect(next === 'closed' ? 'closed' : next.status).toBe(200);
  };

  describe('bodies over the limit', () => {
    const megabyte = () => JSON.stringify({ refreshToken: 'x'.repeat(1_000_000), displayName: 'x'.repeat(1_000_000) });
    const tenThousandAndOneIds = () => JSON.stringify({ userIds: Array.from({ length: 10_001 }, () => randomUUID()) });
    const endpoints = () => [
      ['POST', '/api/v1/auth/refresh'],
      ['PATCH', '/api/v1/users/me'],
      ['POST', '/api/v1/groups'],
      ['POST', `/api/v1/groups/${groupId}/members`],
      ['POST', `/api/v1/conversations/${groupId}/messages`],
    ];

    it.each([
      ['~1 MB of JSON', megabyte],
      ['a 10,001-id array (~390 KB)', tenThousandAndOneIds],
    ])('%s to each ordinary endpoint answers 413 problem+json, and the connection serves the next request', async (_case, makeBody) => {
      const body = makeBody();
      for (const [method, path] of endpoints()) {
        const connection = await RawConnection.open(platform.port);
        connection.write(
          requestHead(method!, path!, { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        );
        connection.write(body);
        const response = await connection.readFinalResponse();
        expectProblemOnWire(response, 413);
        await expectUsable(connection);
        connection.close();
      }
    });

    it('answers 413 every time through an ordinary HTTP client too (fetch), never a 500', async () => {
      const body = megabyte();
      for (let round = 0; round < 5; round += 1) {
        for (const [method, path] of endpoints()) {
          const res = await api(method!, path!, { token, raw: body, headers: { 'content-type': 'application/json' } });
          expectProblem(res, 413);
        }
      }
    });

    it('a chunked body (no Content-Length) is cut at the limit while it streams: 413, and the connection serves the next request', async () => {
      const connection = await RawConnection.open(platform.port);
      connection.write(
        requestHead('POST', '/api/v1/groups', { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      );
      const chunk = 'x'.repeat(64 * 1024);
      connection.write(`${(1).toString(16)}\r\n{\r\n`);
      for (let i = 0; i < 16; i += 1) connection.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      connection.write('0\r\n\r\n');
      expectProblemOnWire(await connection.readFinalResponse(), 413);
      await expectUsable(connection);
      connection.close();
    });

    it('a chunked body within the limit is passed on whole', async () => {
      const connection = await RawConnection.open(platform.port);
      const body = JSON.stringify({ name: 'Chunked' });
      connection.write(
        requestHead('POST', '/api/v1/groups', { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      );
      connection.write(`${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`);
      const response = await connection.readFinalResponse();
      expect(response === 'closed' ? 'closed' : response.status).toBe(201);
      connection.close();
    });

    it('uploads have their own, larger limits: a 1 MB avatar is taken, one over AVATAR_MAX_BYTES plus framing is refused at the gateway', async () => {
      // Random pixels do not compress: a valid PNG of ~1 MB.
      const side = 600;
      const image = await sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
        .png()
        .toBuffer();
      expect(image.length).toBeGreaterThan(DEFAULT_BODY_LIMIT_BYTES);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'me.png');
      const ok = await api('PUT', '/api/v1/users/me/avatar', { token, raw: form });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);

      const connection = await RawConnection.open(platform.port);
      connection.write(
        requestHead('PUT', '/api/v1/users/me/avatar', {
          authorization: `Bearer ${token}`,
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': 6 * 1024 * 1024,
        }),
      );
      connection.write(Buffer.alloc(6 * 1024 * 1024));
      expectProblemOnWire(await connection.readFinalResponse(), 413);
      await expectUsable(connection);
      connection.close();
    });
  });

  describe('Expect: 100-continue', () => {
    const expectServed = async (method: string, path: string, headers: Record<string, string | number>, body: Buffer | string | undefined, status: number) => {
      const connection = await RawConnection.open(platform.port);
      const length: Record<string, number> = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
      connection.write(requestHead(method, path, { authorization: `Bearer ${token}`, expect: '100-continue', ...headers, ...length }));
      if (body !== undefined) {
        // A well-behaved client waits for the 100 before it sends the body.
        const interim = await connection.readResponse();
        expect(interim === 'closed' ? 'closed' : interim.status).toBe(100);
        connection.write(body);
      }
      const response = await connection.readFinalResponse();
      expect(response === 'closed' ? 'closed' : `${response.status} ${response.body}`).toMatch(new RegExp(`^${status} `));
      await expectUsable(connection);
      connection.close();
    };

    it('GET is served normally', () => expectServed('GET', '/api/v1/users/me', {}, undefined, 200));
    it('POST is served normally', () => expectServed('POST', '/api/v1/groups', { 'content-type': 'application/json' }, JSON.stringify({ name: 'Expecting' }), 201));
    it('PATCH is served normally', () => expectServed('PATCH', '/api/v1/users/me', { 'content-type': 'application/json' }, JSON.stringify({ bio: 'hi' }), 200));
    it('a multipart PUT (avatar upload) is served normally', async () => {
      const image = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 1, g: 2, b: 3 } } })
        .png()
        .toBuffer();
      const body = Buffer.concat([
        Buffer.from('--b0undary\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n'),
        image,
        Buffer.from('\r\n--b0undary--\r\n'),
      ]);
      await expectServed('PUT', '/api/v1/users/me/avatar', { 'content-type': 'multipart/form-data; boundary=b0undary' }, body, 200);
    });

    it('a body declared over the limit gets its 413 instead of the 100, and the connection is closed (the body was never sent)', async () => {
      const connection = await RawConnection.open(platform.port);
      connection.write(
        requestHead('POST', '/api/v1/groups', {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': 1_000_000,
          expect: '100-continue',
        }),
      );
      expectProblemOnWire(await connection.readResponse(), 413);
      expect(await connection.readResponse()).toBe('closed');
    });
  });

  describe('headers of private answers, and public health', () => {
    it('API answers are not cached and not sniffed, the answers of the gateway itself included', async () => {
      for (const res of [
        await api('GET', '/api/v1/users/me', { token }),
        await api('GET', `/api/v1/groups/${groupId}`, { token }),
        await api('GET', '/api/v1/nothing-here'),
        await api('POST', '/api/v1/groups', { token, raw: 'x'.repeat(300_000), headers: { 'content-type': 'application/json' } }),
      ]) {
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('the public avatar image stays cacheable', async () => {
      const me = await api('GET', '/api/v1/users/me', { token });
      const avatarUrl = me.body.avatarUrl as string | null;
      expect(avatarUrl).toBeTruthy();
      const res = await fetch(`${platform.url}${avatarUrl}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('/readyz names each service, and no internal address', async () => {
      const res = await fetch(`${platform.url}/readyz`);
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(JSON.parse(text)).toEqual({ status: 'ready', checks: { accounts: true, groups: true, messages: true, notifications: true, redis: true } });
      expect(text).not.toMatch(/127\.0\.0\.1|http:|:\d{2,5}/);
    });
  });

  describe('WebSocket origin', () => {
    const handshake = (origin: string | undefined) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${platform.url.replace('http', 'ws')}/ws`, origin ? { origin } : {});
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('error', reject);
      });

    it('a foreign page is refused at the handshake with 403, before any upgrade', async () => {
      expect(await handshake('https://evil.example')).toBe(403);
    });

    it('the platform’s own page, allowed origins and clients without an Origin are upgraded', async () => {
      expect(await handshake(platform.url)).toBe(101);
      expect(await handshake(`http://localhost:${platform.port}`)).toBe(101);
      expect(await handshake('http://localhost:8080')).toBe(101);
      expect(await handshake(undefined)).toBe(101);
    });
  });
});
