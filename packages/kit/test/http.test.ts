import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conflict, tooManyRequests } from '../src/errors.ts';
import { createHttpServer, type HttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics, type Metrics } from '../src/metrics.ts';
import { startMetricsServer, type MetricsServer } from '../src/metrics-server.ts';

describe('the HTTP server factory', () => {
  let app: HttpServer;
  let base: string;
  let ready = true;
  let metrics: Metrics;
  let metricsServer: MetricsServer;
  let redisUp = true;

  beforeAll(async () => {
    metrics = createMetrics('test');
    metricsServer = await startMetricsServer({ registry: metrics.registry, host: '127.0.0.1', port: 0, logger: createLogger('test', 'silent') });
    app = await createHttpServer({
      service: 'test',
      logger: createLogger('test', 'silent'),
      metrics,
      readiness: { thing: async () => ready },
      degradable: { redis: async () => redisUp },
      openapi: { title: 'test', version: '1' },
    });
    app.post('/echo', { schema: { body: z.object({ name: z.string().max(5), tags: z.array(z.string()).optional() }) } }, async (request) => request.body);
    app.get('/boom', async () => {
      throw new Error('secret database password in this message');
    });
    app.get('/items/:id', async () => ({}));
    app.get('/page', { schema: { querystring: z.object({ limit: z.coerce.number().int().optional() }) } }, async (request) => request.query);
    // Plain z.string() everywhere: the storable-text rule must hold without the route asking for it.
    app.put(
      '/notes/:id',
      {
        schema: {
          params: z.object({ id: z.string() }),
          querystring: z.object({ tag: z.string().optional() }),
          body: z.object({ text: z.string(), meta: z.record(z.string(), z.unknown()).optional() }),
        },
      },
      async (request) => ({ id: request.params.id, tag: request.query.tag, text: request.body.text }),
    );
    app.get('/taken', async () => {
      throw conflict('Already there.', { 'body.name': ['is taken'] });
    });
    app.get('/slow-down', async () => {
      throw tooManyRequests(42);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await metricsServer.close();
  });

  const post = (body: string, contentType = 'application/json') => fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('when a body field is wrong, answers 400 problem+json naming each field', async () => {
    const res = await post(JSON.stringify({ name: ['array'], tags: 'not-an-array' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { status: number; errors: Record<string, string[]> };
    expect(problem.status).toBe(400);
    expect(Object.keys(problem.errors).sort()).toEqual(['body.name', 'body.tags']);
  });

  it.each([
    ['malformed JSON', '{"name": ', 'application/json', 400],
    ['an empty JSON body', '', 'application/json', 400],
    ['a prototype-polluting body', '{"__proto__": {"x": 1}, "name": "a"}', 'application/json', 400],
    ['an unsupported content type', 'name=a', 'text/csv', 415],
    ['a body over the limit', JSON.stringify({ name: 'x'.repeat(300_000) }), 'application/json', 413],
  ])('when the body is %s, answers %s-ish 4xx, never 500', async (_case, body, type, status) => {
    const res = await post(body, type);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('when a query string carries a parameter its route does not declare, answers 400 naming it', async () => {
    expect(await (await fetch(`${base}/page?limit=5`)).json()).toEqual({ limit: 5 });
    const res = await fetch(`${base}/page?limit=5&cursor=abc`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await res.json())).toContain('cursor');
    // Routes that declare no query schema are not affected.
    expect((await fetch(`${base}/healthz?probe=1`)).status).toBe(200);
  });

  it.each([
    ['a NUL in a body field', '/notes/a', '{"text":"a\\u0000b"}', 'body.text'],
    ['a lone surrogate in a body field', '/notes/a', '{"text":"a\\ud800b"}', 'body.text'],
    ['a NUL deep in a body', '/notes/a', '{"text":"ok","meta":{"list":["x","\\u0000"]}}', 'body.meta.list.1'],
    ['a NUL in an object key', '/notes/a', '{"text":"ok","meta":{"a\\u0000":1}}', 'body.meta.a?'],
    ['a NUL in the query string', '/notes/a?tag=x%00y', '{"text":"ok"}', 'querystring.tag'],
    ['a NUL in a path parameter', '/notes/a%00b', '{"text":"ok"}', 'params.id'],
  ])('refuses %s with 400 naming the field, whatever the field schema says', async (_case, path, body, field) => {
    const res = await fetch(`${base}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { errors: Record<string, string[]> };
    expect(problem.errors[field]).toEqual(['must not contain NUL characters or unpaired surrogates']);
  });

  it('lets storable text through the same route (invalid UTF-8 bytes arrive as U+FFFD)', async () => {
    const body = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' 😀"}')]);
    const res = await fetch(`${base}/notes/a?tag=t`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'a', tag: 't', text: 'caf\ufffd(\ufffd 😀' });
  });

  it('when a handler fails unexpectedly, answers 500 with an errorId and nothing internal', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toHaveProperty('errorId');
  });

  it('turns AppErrors into their status, with Retry-After for 429', async () => {
    const taken = await fetch(`${base}/taken`);
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ errors: { 'body.name': ['is taken'] } });
    const limited = await fetch(`${base}/slow-down`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('42');
  });

  it('when the URL is malformed or a path segment is huge, answers problem+json 400/414', async () => {
    const bad = await fetch(`${base}/items/%E0%A4%A`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const long = await fetch(`${base}/items/${'x'.repeat(300)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toContain('application/problem+json');
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    expect((await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'abc-1' } })).headers.get('x-request-id')).toBe('abc-1');
    const made = (await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id\twith tabs' } })).headers.get('x-request-id');
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves health and readiness (503 when a dependency is down)', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    ready = false;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ checks: { thing: false } });
    ready = true;
  });

  it('answers 200 "degraded" while a degradable dependency is down, and says so in parley_degraded', async () => {
    const gauge = async () =>
      /parley_degraded\{[^}]*dependency="redis"[^}]*\} (\d)/.exec(await (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text())?.[1];
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', checks: { thing: true, redis: true } });
    expect(await gauge()).toBe('0');
    redisUp = false;
    const degraded = await fetch(`${base}/readyz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toEqual({ status: 'degraded', checks: { thing: true, redis: 'degraded' } });
    expect(await gauge()).toBe('1');
    redisUp = true;
  });

  it('serves OpenAPI; metrics only on the metrics port, by route pattern', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    await fetch(`${base}/items/0190c1e2-1234-7000-8000-000000000000`);
    const scrape = await (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text();
    expect(scrape).toContain('http_request_duration_seconds_count{service="test",method="GET",route="/items/:id",status="200"} 1');
    expect(scrape).not.toContain('0190c1e2');
    expect((await fetch(`http://127.0.0.1:${metricsServer.port}/other`)).status).toBe(404);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/echo');
  });
});
