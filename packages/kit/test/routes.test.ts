import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callerOf, readAhead, type TokenVerifier } from '../src/auth.ts';
import { cached } from '../src/cache/cached.ts';
import { unauthorized } from '../src/errors.ts';
import { routeOpenings } from '../src/http/routes.ts';
import { createHttpServer, type HttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';

const EXPIRES_AT = Date.now() + 60_000;
const profiles = cached<{ name: string }>({ name: 'profile', ttlSeconds: 60 });
const profile = readAhead(profiles, (caller) => caller.userId);

/** Accepts the token "good" (user u1); answers what the cache would hold for the entries asked. */
const verify: TokenVerifier = async (token, alsoRead) => {
  if (token !== 'good') throw unauthorized('The access token is not valid.');
  const caller = { userId: 'u1', sessionId: 's1', expiresAt: EXPIRES_AT };
  if (!alsoRead) return caller;
  return {
    ...caller,
    alsoCached: alsoRead.map((entry) => ({ value: entry.keys(caller)[0] === profiles.key('u1') ? { name: 'alice' } : undefined, generation: 0, readAt: 0 })),
  };
};

describe('route openings (routeOpenings)', () => {
  let app: HttpServer;
  let base: string;

  beforeAll(async () => {
    app = await createHttpServer({
      service: 'test',
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test'),
      openapi: { title: 'test', version: '1' },
    });
    const route = routeOpenings(verify, 'things');
    app.post('/things', route.authenticated({ summary: 'Make a thing', body: z.object({ name: z.string().max(5) }) }), async (request) => ({
      caller: callerOf(request).userId,
      name: request.body.name,
    }));
    app.get('/me', route.authenticated({ summary: 'Me' }, { alsoRead: [profile] }), async (request) => ({ readAhead: profile.from(request) ?? null }));
    app.get('/plain', route.authenticated({ summary: 'Plain' }), async (request) => ({ readAhead: profile.from(request) ?? null }));
    app.get('/public', route.open({ summary: 'Anyone' }), async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (body: string, token?: string) =>
    fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  it('answers 401 to a caller without a valid token before the body is parsed or validated', async () => {
    for (const body of ['{not json', JSON.stringify({ name: 'far too long' }), JSON.stringify({ name: 'ok' })]) {
      for (const token of [undefined, 'bad']) {
        const res = await post(body, token);
        expect(res.status, `${token} ${body}`).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('validates the body of a signed-in caller (400) and serves a valid one', async () => {
    expect((await post(JSON.stringify({ name: 'far too long' }), 'good')).status).toBe(400);
    expect((await post('{not json', 'good')).status).toBe(400);
    const res = await post(JSON.stringify({ name: 'ok' }), 'good');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ caller: 'u1', name: 'ok' });
  });

  it('hands a route the cache entries it asked to read with the session, typed; nothing to a route that did not ask', async () => {
    const me = await fetch(`${base}/me`, { headers: { authorization: 'Bearer good' } });
    expect(await me.json()).toMatchObject({ readAhead: { value: { name: 'alice' } } });
    const plain = await fetch(`${base}/plain`, { headers: { authorization: 'Bearer good' } });
    expect(await plain.json()).toEqual({ readAhead: null });
  });

  it('lets anyone call an open route', async () => {
    expect((await fetch(`${base}/public`)).status).toBe(200);
  });

  it('tags every route and declares the bearer security on the authenticated ones only', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[]; security?: unknown }>> };
    for (const [path, method] of [
      ['/things', 'post'],
      ['/me', 'get'],
      ['/plain', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method]).toMatchObject({ tags: ['things'], security: [{ bearer: [] }] });
    }
    expect(doc.paths['/public']?.get?.tags).toEqual(['things']);
    expect(doc.paths['/public']?.get?.security).toBeUndefined();
  });
});
