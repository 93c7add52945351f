import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteDb } from '@parley/kit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startPlatform, type Platform } from '../src/platform.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'parley-upgrade-'));
const env = { PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };

async function call(platform: Platform, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${platform.url}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

// A user upgrading keeps everything: the data folder of the previous version (a PGlite folder per
// service, DATA_DIR/<service>/pg) is imported into the one shared database on the first start.
describe.skipIf(process.env.PARLEY_TEST_INFRA === 'only')('upgrading a data folder of the per-service layout', { timeout: 600_000 }, () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on the old folders with every account, group, message, search hit and notification there, and keeps the old folders aside', async () => {
    // The previous version exactly: each service on a PGlite instance of its own under DATA_DIR.
    let platform = await startPlatform(env, { openDb: (service) => createPgliteDb(join(dataDir, service, 'pg')) });
    const alice = await call(platform, 'POST', '/api/v1/auth/register', { username: 'alice', email: 'alice@example.test', password: 'alice-password' });
    const bob = await call(platform, 'POST', '/api/v1/auth/register', { username: 'bob', email: 'bob@example.test', password: 'bob-password' });
    const bobId = bob.body.user.id as string;
    const group = await call(platform, 'POST', '/api/v1/groups', { name: 'Team', memberIds: [bobId] }, alice.body.accessToken);
    const groupId = group.body.id as string;
    const sent = await call(
      platform,
      'POST',
      `/api/v1/conversations/${groupId}/messages`,
      { body: 'hello @bob, before the upgrade', clientMessageId: 'c-1' },
      alice.body.accessToken,
    );
    expect(sent.status).toBe(201);
    // The events have gone round: bob's notifications (added to the group, mentioned) are stored before the old version stops.
    await vi.waitFor(async () => expect((await call(platform, 'GET', '/api/v1/notifications', undefined, bob.body.accessToken)).body.items).toHaveLength(2), {
      timeout: 30_000,
    });
    await platform.stop();
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);

    platform = await startPlatform(env);
    try {
      for (const service of ['accounts', 'groups', 'messages', 'notifications']) {
        expect(readdirSync(join(dataDir, service))).toContain('pg.imported');
        expect(existsSync(join(dataDir, service, 'pg'))).toBe(false);
      }
      // Passwords, sessions' signing keys, groups, messages, the search index and notifications came along.
      const login = await call(platform, 'POST', '/api/v1/auth/login', { login: 'bob', password: 'bob-password' });
      expect(login.status).toBe(200);
      const token = login.body.accessToken as string;
      expect((await call(platform, 'GET', '/api/v1/users/me', undefined, bob.body.accessToken)).status).toBe(200);
      expect((await call(platform, 'GET', '/api/v1/groups', undefined, token)).body.items.map((g: { name: string }) => g.name)).toEqual(['Team']);
      const history = await call(platform, 'GET', `/api/v1/conversations/${groupId}/messages?after=0`, undefined, token);
      expect(history.body.items.map((m: { body: string }) => m.body)).toEqual(['hello @bob, before the upgrade']);
      const found = await call(platform, 'GET', '/api/v1/search/messages?q=upgrade', undefined, token);
      expect(found.body.items).toHaveLength(1);
      expect((await call(platform, 'GET', '/api/v1/notifications', undefined, token)).body.items.map((n: { kind: string }) => n.kind).sort()).toEqual([
        'group_added',
        'mention',
      ]);
      // And it goes on from there: a new message gets the next sequence number.
      const next = await call(platform, 'POST', `/api/v1/conversations/${groupId}/messages`, { body: 'after', clientMessageId: 'c-2' }, token);
      expect(next.body.seq).toBe(2);
    } finally {
      await platform.stop();
    }
  });
});
