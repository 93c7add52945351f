import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';

const root = new URL('../../../', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'parley-standalone-'));

interface Running {
  child: ChildProcess;
  url: string;
  /** What it printed up to its URL line: the start-up summary. */
  output: string;
  exited: Promise<number | null>;
}

/** Starts the platform exactly as `npm start` does (node --import tsx apps/standalone/src/main.ts) and waits for its URL. */
async function startLikeNpmStart(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/standalone/src/main.ts'], {
    cwd: root,
    // No server URLs: embedded adapters only, as on a fresh machine.
    // WEB_DIST_DIR set: the launcher does not build the web app here (web-build.test.ts and the
    // end-to-end suite cover that); the gateway shows its status page.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      WEB_DIST_DIR: join(dataDir, 'no-web-build'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Parley is running at (http:\/\/\S+)[^]*listening.*\n/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`platform exited with ${code} before starting:\n${output}`)));
  });
  return { child, url, output, exited };
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

// Embedded adapters only by nature: it runs in `npm test`, not again in the real-servers-only pass.
describe.skipIf(process.env.PARLEY_TEST_INFRA === 'only')('the standalone platform (npm start)', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves register → login → profile → contacts, a group chat and its real-time delivery through the gateway, stops on Ctrl-C, and keeps its data across a restart', async () => {
    let platform = await startLikeNpmStart();
    const base = platform.url;
    // What runs where, in a few plain lines.
    expect(platform.output).toMatch(/^ {2}mode +embedded: /m);
    expect(platform.output).toContain(`  data       ${dataDir} (PGlite in pg/, a schema each: accounts, groups, messages, notifications)`);
    expect(platform.output).toMatch(/^ {2}listening +127\.0\.0\.1:\d+, this machine only \(HOST=0\.0\.0\.0 opens it to the network\)$/m);

    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
    expect((await call(base, 'GET', '/readyz')).status).toBe(200);
    const openapi = await call(base, 'GET', '/api/v1/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body!.paths)).toContain('/api/v1/auth/register');

    const alice = await call(base, 'POST', '/api/v1/auth/register', { username: 'alice', email: 'alice@example.test', password: 'alice-password' });
    expect(alice.status).toBe(201);
    const bob = await call(base, 'POST', '/api/v1/auth/register', { username: 'bob', email: 'bob@example.test', password: 'bob-password' });
    expect(bob.status).toBe(201);

    const login = await call(base, 'POST', '/api/v1/auth/login', { login: 'alice@example.test', password: 'alice-password' });
    expect(login.status).toBe(200);
    const token = login.body!.accessToken as string;

    const patched = await call(base, 'PATCH', '/api/v1/users/me', { displayName: 'Alice A.', bio: 'hello' }, token);
    expect(patched.status).toBe(200);
    const me = await call(base, 'GET', '/api/v1/users/me', undefined, token);
    expect(me.body).toMatchObject({ username: 'alice', displayName: 'Alice A.', bio: 'hello' });

    const bobId = bob.body!.user.id as string;
    expect((await call(base, 'PUT', `/api/v1/contacts/${bobId}`, undefined, token)).status).toBe(200);
    const contacts = await call(base, 'GET', '/api/v1/contacts', undefined, token);
    expect(contacts.body!.items.map((c: { username: string }) => c.username)).toEqual(['bob']);

    // Chat and real-time through the same origin: a group, a message, its delivery on /ws.
    const bobLogin = await call(base, 'POST', '/api/v1/auth/login', { login: 'bob', password: 'bob-password' });
    const bobToken = bobLogin.body!.accessToken as string;
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    const frames: { type: string; data: any }[] = [];
    socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString('utf8')) as { type: string; data: any }));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'auth', token: bobToken }));
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'ready')).toBe(true), { timeout: 10_000 });

    const group = await call(base, 'POST', '/api/v1/groups', { name: 'Team', memberIds: [bobId] }, token);
    expect(group.status).toBe(201);
    const groupId = group.body!.id as string;
    const sent = await call(base, 'POST', `/api/v1/conversations/${groupId}/messages`, { body: 'hello @bob', clientMessageId: 'c-1' }, token);
    expect(sent.status).toBe(201);
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'message.created' && f.data.message?.body === 'hello @bob')).toBe(true), {
      timeout: 15_000,
    });
    const history = await call(base, 'GET', `/api/v1/conversations/${groupId}/messages?after=0`, undefined, bobToken);
    expect(history.body!.items.map((m: { seq: number }) => m.seq)).toEqual([1]);
    const found = await call(base, 'GET', `/api/v1/search/messages?q=hello`, undefined, bobToken);
    expect(found.body!.items).toHaveLength(1);
    socket.close();

    platform.child.kill('SIGINT');
    expect(await platform.exited).toBe(0);

    // Same data folder: the accounts and their keys are still there.
    platform = await startLikeNpmStart();
    const again = await call(platform.url, 'POST', '/api/v1/auth/login', { login: 'alice', password: 'alice-password' });
    expect(again.status).toBe(200);
    const contactsAfter = await call(platform.url, 'GET', '/api/v1/contacts', undefined, again.body!.accessToken as string);
    expect(contactsAfter.body!.items).toHaveLength(1);
    platform.child.kill('SIGINT');
    expect(await platform.exited).toBe(0);
  }, 300_000);
});
