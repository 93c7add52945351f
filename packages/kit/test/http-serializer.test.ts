import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpServer, type HttpServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';

// Response schemas are compiled with fast-json-stringify when JSON Schema can express them,
// with the zod serializer kept for the rest (packages/kit/src/http/serializer.ts).
describe('response serialisation from zod schemas', () => {
  let app: HttpServer;
  let base: string;
  let answer: unknown;

  const profile = z.object({
    id: z.string(),
    name: z.string().nullable(),
    status: z.enum(['online', 'away']),
    createdAt: z.iso.datetime(),
    score: z.number().int().optional(),
    tags: z.array(z.object({ label: z.string() })),
    detail: z.record(z.string(), z.unknown()),
    kind: z.union([z.object({ a: z.string() }), z.object({ b: z.number() })]),
  });

  beforeAll(async () => {
    app = await createHttpServer({ service: 'test', logger: createLogger('test', 'silent'), metrics: createMetrics('test') });
    app.get('/profile', { schema: { response: { 200: profile } } }, async () => answer as z.output<typeof profile>);
    // A Date has no JSON Schema: this one stays with the zod serializer.
    app.get('/dated', { schema: { response: { 200: z.object({ at: z.date() }) } } }, async () => ({ at: answer as Date }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  const valid = {
    id: 'u1',
    name: null,
    status: 'online',
    createdAt: '2026-11-27T23:00:00.000Z',
    tags: [{ label: 'x"y\\z\u2028' }],
    detail: { nested: { deep: [1, 'two', null] } },
    kind: { b: 2 },
  };

  it('answers exactly what JSON.stringify of the validated value would', async () => {
    answer = { ...valid, score: 7 };
    const res = await fetch(`${base}/profile`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual(profile.parse(answer));
  });

  it('never lets a field out that the schema does not name, at any depth', async () => {
    answer = { ...valid, password_hash: 'secret', tags: [{ label: 'a', internal: 'secret' }] };
    const text = await (await fetch(`${base}/profile`)).text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toEqual(profile.parse(answer));
  });

  it('answers 500 problem+json, without the data, when a required field is missing', async () => {
    const { createdAt: _missing, ...incomplete } = { ...valid, name: 'secret-name' };
    answer = incomplete;
    const res = await fetch(`${base}/profile`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.text()).not.toContain('secret-name');
  });

  it('keeps the zod serializer for a schema JSON Schema cannot express', async () => {
    answer = new Date('2026-11-27T23:00:00.000Z');
    const res = await fetch(`${base}/dated`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ at: '2026-11-27T23:00:00.000Z' });
    answer = 'not a date';
    expect((await fetch(`${base}/dated`)).status).toBe(500);
  });
});
