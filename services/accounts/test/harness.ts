import { createLogger, loadConfig, type Adapters, type Db } from '@parley/kit';
import { createTestAdapters, openTestDb } from '@parley/kit/testing';
import { createAccountsService, type AccountsService } from '../src/app.ts';
import { accountsConfigSchema, type AccountsConfig } from '../src/config.ts';

export interface AccountsHarness {
  baseUrl: string;
  grpcAddress: string;
  service: AccountsService;
  adapters: Adapters;
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
  const service = await createAccountsService({ config, db, ...adapters, jobs: adapters.jobs('accounts'), logger, runWorker: true });
  const { httpPort, grpcPort } = await service.start();
  return {
    baseUrl: `http://127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    service,
    adapters,
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

export interface Api {
  (method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: BodyInit }): Promise<{
    status: number;
    headers: Headers;
    body: any;
  }>;
}

/** A tiny fetch wrapper: JSON in, JSON (or problem+json) out. */
export const apiFor =
  (baseUrl: string): Api =>
  async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: BodyInit | undefined = options.raw;
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

/** Registers a fresh user; returns its tokens and profile. */
export async function registerUser(api: Api, overrides: Parameters<typeof buildUser>[0] = {}) {
  const input = buildUser(overrides);
  const res = await api('POST', '/api/v1/auth/register', { body: input });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { input, ...(res.body as { user: { id: string; username: string }; accessToken: string; refreshToken: string; sessionId: string }) };
}
