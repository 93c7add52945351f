import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, newId } from '@parley/kit';
import { adapterKinds, createTestAdapters, openTestDb } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../src/platform.ts';
import {
  hostileCases,
  isWrite,
  operationsOf,
  pathOf,
  sampleOf,
  type Fixtures,
  type HostileCase,
  type OpenApiDocument,
  type Operation,
} from './hostile/openapi-cases.ts';
import { createRawClient, type RawAnswer, type RawRequest } from './hostile/raw-client.ts';

/**
 * The hostile-input suite: every operation of the OpenAPI document the platform serves gets
 * hostile bodies, query strings and path parameters through the gateway (openapi-cases.ts). Every
 * answer must be a success or a 4xx problem+json, never a 5xx and never a hang, and the platform
 * must be ready at the end. It prints how many requests it tried and what it saw.
 */

const REQUEST_TIMEOUT_MS = 10_000;
const CONCURRENCY = 6;
const GENEROUS = {
  RATE_LIMIT_PER_MINUTE: '100000000',
  AUTH_MAX_PER_IP: '100000000',
  LOGIN_MAX_FAILURES: '100000000',
  LOGIN_MAX_FAILURES_PER_IP: '100000000',
};

interface Tally {
  tried: number;
  serverErrors: number;
  failures: string[];
}

/** Success, or a 4xx problem+json; anything else is a failure worth a line. */
function verdict(answer: RawAnswer): string | undefined {
  if (answer.failure) return answer.failure;
  if (answer.status >= 500) return `${answer.status} ${answer.body.slice(0, 200)}`;
  if (answer.status < 200 || (answer.status >= 300 && answer.status < 400)) return `unexpected status ${answer.status}`;
  if (answer.status >= 400 && !answer.contentType.startsWith('application/problem+json')) {
    return `${answer.status} with content type "${answer.contentType}" instead of problem+json`;
  }
  return undefined;
}

async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Operations that end the caller's session or delete fixtures go last. */
const destructiveLast = (a: Operation, b: Operation): number => {
  const rank = (op: Operation) => (op.method === 'DELETE' ? 2 : op.template.endsWith('/logout') ? 1 : 0);
  return rank(a) - rank(b);
};

describe.each(adapterKinds())('hostile input through the gateway, driven by the OpenAPI document (%s)', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-hostile-'));
  let platform: Platform;
  let client: ReturnType<typeof createRawClient>;
  let origin: string;
  let operations: Operation[];
  let fixtures: Fixtures;
  let login: () => Promise<string>;
  let ids: { alice: string; bob: string; carol: string; group: string; direct: string; message: string };
  const tally: Tally = { tried: 0, serverErrors: 0, failures: [] };

  const api = async (method: string, path: string, body?: unknown, token?: string): Promise<any> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const answer = await client.send({ method, path, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body}`);
    return answer.body ? JSON.parse(answer.body) : undefined;
  };

  /** Sends one case and records what came back. */
  const attempt = async (
    label: string,
    request: RawRequest,
    through: ReturnType<typeof createRawClient> = client,
    check: (answer: RawAnswer) => string | undefined = verdict,
  ): Promise<RawAnswer> => {
    const answer = await through.send(request);
    tally.tried += 1;
    if (answer.status >= 500) tally.serverErrors += 1;
    const problem = check(answer);
    if (problem) tally.failures.push(`${label} → ${problem}`);
    return answer;
  };

  const withToken = (request: RawRequest, token: string | undefined): RawRequest =>
    token ? { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } } : request;

  beforeAll(async () => {
    const logger = createLogger('hostile', 'silent');
    platform = await startPlatform(
      { PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'fatal', ...GENEROUS },
      kind === 'real' ? { adapters: createTestAdapters('real', logger), openDb: () => openTestDb('real') } : {},
    );
    origin = platform.url.replace('localhost', '127.0.0.1');
    client = createRawClient(origin, REQUEST_TIMEOUT_MS);

    const register = async (name: string) => {
      const username = `${name}_${newId().slice(-8)}`;
      const answer = await api('POST', '/api/v1/auth/register', { username, email: `${username}@example.test`, password: `${name}-password` });
      return { id: answer.user.id as string, token: answer.accessToken as string, username };
    };
    const [alice, bob, carol] = [await register('alice'), await register('bob'), await register('carol')];
    const group = await api('POST', '/api/v1/groups', { name: 'Hostile', memberIds: [bob.id] }, alice.token);
    const direct = await api('POST', '/api/v1/conversations/direct', { userId: bob.id }, alice.token);
    const message = await api('POST', `/api/v1/conversations/${direct.id}/messages`, { body: 'hello', clientMessageId: newId() }, alice.token);
    ids = { alice: alice.id, bob: bob.id, carol: carol.id, group: group.id, direct: direct.id, message: message.id };
    login = async () => (await api('POST', '/api/v1/auth/login', { login: alice.username, password: 'alice-password' })).accessToken as string;

    let counter = 0;
    const bySegment: Record<string, string> = {
      groups: ids.group,
      conversations: ids.direct,
      messages: ids.message,
      users: ids.bob,
      contacts: ids.bob,
      members: ids.bob,
    };
    fixtures = {
      pathValue: (name, before) => (name === 'emoji' ? '👍' : name === 'userId' ? ids.bob : (bySegment[before] ?? newId())),
      idFor: (field) =>
        ({ userId: ids.bob, userIds: ids.carol, userId_: ids.carol, memberIds: ids.carol, replyToId: ids.message, conversationId: ids.direct })[field] ??
        (field.startsWith('user') || field.startsWith('member') ? ids.carol : newId()),
      unique: () => `${Date.now().toString(36)}${(counter += 1)}`,
    };

    const doc = (await api('GET', '/api/v1/openapi.json')) as OpenApiDocument;
    operations = operationsOf(doc).sort(destructiveLast);
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    // The figures of the run, for the CI log and the hardening notes.
    console.log(`hostile input (${kind}): ${tally.tried} requests tried, ${tally.serverErrors} answered 5xx, ${tally.failures.length} failed the rule`);
  });

  it("the document lists the platform's operations, write endpoints among them", () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.filter(isWrite).length).toBeGreaterThan(15);
  });

  it('answers every hostile body, query string and path parameter with a success or a 4xx problem+json, never a 5xx or a hang', async () => {
    const before = tally.failures.length;
    // One session for everything but logout, which ends the session it is sent with.
    const shared = await login();
    for (const operation of operations) {
      const token = operation.secured ? (operation.template.endsWith('/logout') ? await login() : shared) : undefined;
      const cases: HostileCase[] = hostileCases(operation, fixtures);
      await runPool(cases, CONCURRENCY, async ({ label, request }) => {
        await attempt(label, withToken(request, token));
      });
    }
    expect(tally.failures.slice(before)).toEqual([]);
  }, 240_000);

  it('answers a body over the limit (2 MB) with 413 problem+json on every write endpoint, and its connection stays usable', async () => {
    const before = tally.failures.length;
    const token = await login();
    const huge = JSON.stringify({ body: 'x'.repeat(2 * 1024 * 1024) });
    const writes = operations.filter((op) => isWrite(op) && !op.template.endsWith('/logout'));
    await runPool(writes, CONCURRENCY, async (operation) => {
      // One connection per endpoint: the request after the big one goes on the same keep-alive socket (or a new one if it was closed).
      const connection = createRawClient(origin, REQUEST_TIMEOUT_MS, 1);
      try {
        const label = `${operation.method} ${operation.template}`;
        const request = withToken(
          { method: operation.method, path: pathOf(operation, fixtures), headers: { 'content-type': 'application/json' }, body: huge },
          token,
        );
        await attempt(
          `${label}: a 2 MB body`,
          request,
          connection,
          (answer) => verdict(answer) ?? ([413, 401, 404].includes(answer.status) ? undefined : `answered ${answer.status}, not 413`),
        );
        await attempt(`${label}: the next request on that connection`, { method: 'GET', path: '/healthz' }, connection);
      } finally {
        connection.close();
      }
    });
    expect(tally.failures.slice(before)).toEqual([]);
  }, 300_000);

  it('serves requests sent with Expect: 100-continue normally on every write endpoint', async () => {
    const before = tally.failures.length;
    const token = await login();
    for (const operation of operations.filter((op) => isWrite(op) && op.method !== 'DELETE' && !op.template.endsWith('/logout'))) {
      const body = JSON.stringify(operation.body ? sampleOf(operation.body, 'body', fixtures) : {});
      const request: RawRequest = {
        method: operation.method,
        path: pathOf(operation, fixtures),
        headers: { 'content-type': 'application/json' },
        body,
        expectContinue: true,
      };
      await attempt(`${operation.method} ${operation.template}: Expect: 100-continue`, withToken(request, operation.secured ? token : undefined));
    }
    expect(tally.failures.slice(before)).toEqual([]);
  }, 120_000);

  it('ignores fields a client must not set (senderId, createdAt, role, ownerId, id): they are not applied', async () => {
    const token = await login();
    const forged = '2000-01-01T00:00:00.000Z';
    const forgedId = newId();
    const message = await api(
      'POST',
      `/api/v1/conversations/${ids.direct}/messages`,
      { body: 'forged?', clientMessageId: newId(), senderId: ids.bob, createdAt: forged, id: forgedId, seq: 1 },
      token,
    );
    expect(message).toMatchObject({ senderId: ids.alice });
    expect(message.id).not.toBe(forgedId);
    expect(message.createdAt).not.toBe(forged);

    const group = await api('POST', '/api/v1/groups', { name: 'Forged', ownerId: ids.bob, role: 'member', createdAt: forged, id: forgedId }, token);
    expect(group).toMatchObject({ ownerId: ids.alice, myRole: 'owner' });
    expect(group.id).not.toBe(forgedId);
    expect(group.createdAt).not.toBe(forged);

    const added = await api('POST', `/api/v1/groups/${group.id}/members`, { userIds: [ids.carol], role: 'owner' }, token);
    expect(added.items).toEqual([expect.objectContaining({ userId: ids.carol, role: 'member' })]);

    const renamed = await api('PATCH', `/api/v1/groups/${group.id}`, { name: 'Renamed', ownerId: ids.bob }, token);
    expect(renamed).toMatchObject({ ownerId: ids.alice, name: 'Renamed' });

    const me = await api('GET', '/api/v1/users/me', undefined, token);
    const patched = await api(
      'PATCH',
      '/api/v1/users/me',
      { bio: 'hi', createdAt: forged, id: forgedId, email: 'evil@example.test', username: 'evil', role: 'admin' },
      token,
    );
    expect(patched).toMatchObject({ id: me.id, createdAt: me.createdAt, email: me.email, username: me.username, bio: 'hi' });
  });

  it('is still healthy and ready at the end', async () => {
    const ready = await client.send({ method: 'GET', path: '/readyz' });
    expect(ready.status).toBe(200);
    for (const url of Object.values(platform.internal)) expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
