import type { ShownStatus } from '@parley/contracts';
import { createLogger, loadConfig, makeEvent, type Adapters, type Db, type EventEnvelope, type Jobs } from '@parley/kit';
import { createTestAdapters, openTestDb } from '@parley/kit/testing';
import { expect, vi } from 'vitest';
import { createAccountsService, type AccountsService } from '../src/app.ts';
import { accountsConfigSchema, type AccountsConfig } from '../src/config.ts';

export interface AccountsHarness {
  baseUrl: string;
  grpcAddress: string;
  service: AccountsService;
  adapters: Adapters;
  /** The job queue the service and its in-process worker use. */
  jobs: Jobs;
  db: Db;
  config: AccountsConfig;
  stop(): Promise<void>;
}

/**
 * Starts the accounts service in-process on ephemeral ports, on embedded adapters or on real
 * PostgreSQL, Redis and RabbitMQ, with the worker running in the same process.
 */
export async function startAccounts(kind: 'embedded' | 'real', env: Record<string, string> = {}): Promise<AccountsHarness> {
  const config = loadConfig(accountsConfigSchema, { PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent', ...env });
  const logger = createLogger('accounts', config.LOG_LEVEL);
  const adapters = createTestAdapters(kind, logger);
  const db = await openTestDb(kind);
  const jobs = adapters.jobs('accounts');
  const service = await createAccountsService({ config, db, ...adapters, jobs, logger, runWorker: true });
  const { httpPort, grpcPort } = await service.start();
  return {
    baseUrl: `http://127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    service,
    adapters,
    jobs,
    db,
    config,
    async stop() {
      await service.stop();
      await adapters.close();
      await db.close();
    },
  };
}

let counter = 0;
/** A fresh, valid registration body (Outline-style factory). */
export function buildUser(overrides: Partial<{ username: string; email: string; password: string; displayName: string }> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  return {
    username: `user_${tag}`,
    email: `user_${tag}@example.test`,
    password: 'correct horse battery',
    displayName: `User ${tag}`,
    ...overrides,
  };
}

/** What fetch accepts as a body (FormData, Blob, text, bytes). */
export type RequestBody = NonNullable<RequestInit['body']>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface Api {
  (method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: RequestBody }): Promise<ApiResponse>;
}

/** Who is calling: the address (sent as X-Forwarded-For, which the service trusts from its proxy) and the device. */
export interface ClientIdentity {
  ip?: string;
  userAgent?: string;
}

/** A tiny fetch wrapper: JSON in, JSON (or problem+json) out. */
export const apiFor =
  (baseUrl: string, client: ClientIdentity = {}): Api =>
  async (method, path, options = {}) => {
    const headers: Record<string, string> = {
      ...(client.ip ? { 'x-forwarded-for': client.ip } : {}),
      ...(client.userAgent ? { 'user-agent': client.userAgent } : {}),
      ...(options.headers ?? {}),
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestBody | undefined = options.raw;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: leave the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

let ipCounter = 0;
/** A client address of its own (TEST-NET-2), so the per-address limits one test hits never reach another. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

/** Asserts a problem+json answer: the status, the standard members, no errorId (never a 500), and an entry in `errors` for each named field. */
export function expectProblem(res: ApiResponse, status: number, fields: string[] = []): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(res.body.errorId).toBeUndefined();
  for (const field of fields) {
    expect(res.body.errors?.[field], `errors["${field}"] in ${JSON.stringify(res.body)}`).toEqual(expect.arrayContaining([expect.any(String)]));
  }
}

/** A 400 whose `errors` name exactly these fields. */
export function expectFieldErrors(res: ApiResponse, fields: string[]): void {
  expectProblem(res, 400, fields);
  expect(Object.keys(res.body.errors ?? {}).sort()).toEqual([...fields].sort());
}

export interface SignedIn {
  user: { id: string; username: string; email: string; displayName: string };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

/** A user registered by a test: the session it got, and what it registered with. */
export type Registered = SignedIn & { input: ReturnType<typeof buildUser> };

/** Registers a fresh user; returns its tokens and profile. */
export async function registerUser(api: Api, overrides: Parameters<typeof buildUser>[0] = {}): Promise<Registered> {
  const input = buildUser(overrides);
  const res = await api('POST', '/api/v1/auth/register', { body: input });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { input, ...(res.body as SignedIn) };
}

/** Signs in (a new session); throws unless it answers 200. */
export async function logIn(api: Api, login: string, password: string): Promise<SignedIn> {
  const res = await api('POST', '/api/v1/auth/login', { body: { login, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as SignedIn;
}

/**
 * The events the service wrote to its outbox about one user, oldest first; their data as
 * consumers get it (without the request id the outbox keeps beside it, kit outboxData()).
 */
export async function outboxEventsOf(h: AccountsHarness, userId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const { rows } = await h.db.query<{ type: string; data: Record<string, unknown> }>(
    `SELECT type, data - '$requestId' AS data FROM outbox WHERE data->>'userId' = $1 ORDER BY occurred_at, id`,
    [userId],
  );
  return rows;
}

/**
 * Publishes notifications' presence.changed for the user, as notifications does when what others
 * see of them changes, and waits until accounts has applied it.
 */
export async function publishPresence(h: AccountsHarness, userId: string, status: ShownStatus): Promise<EventEnvelope> {
  const event = makeEvent('presence.changed', { userId, status }, 'notifications');
  await h.adapters.bus.publish([event]);
  await vi.waitFor(
    async () => {
      const { rows } = await h.db.query<{ presence_event_id: string | null }>('SELECT presence_event_id FROM users WHERE id = $1', [userId]);
      expect(rows[0]?.presence_event_id).toBe(event.id);
    },
    { timeout: 10_000, interval: 20 },
  );
  return event;
}
