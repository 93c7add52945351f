import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrpcClient } from '../grpc/client.ts';
import type { TokenVerifier } from '../auth.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import type { Db } from '../ports.ts';
import type { Adapters } from '../runtime.ts';
import { createService } from '../service/build.ts';
import type { RunnableService, ServiceConfig, ServiceDefinition, ServiceNeeds, ServiceParts } from '../service/definition.ts';
import { createTestAdapters } from './adapters.ts';
import { openTestDb } from './infra.ts';

export type AdapterKind = 'embedded' | 'real';

export interface TestServiceOptions {
  /** Over the test defaults (ephemeral ports, LOG_LEVEL silent) and the addresses of the services started before. */
  env?: Record<string, string | undefined>;
  /** A database to use instead of a fresh test database; stop() leaves it open (a second instance on the same one). */
  db?: Db;
  /** Adapters to use instead of the stack's (a bus through a TCP proxy, a pub/sub that fails). */
  adapters?: Adapters;
  /** A verifier to use instead of the remote one the definition asks for. */
  verifyToken?: TokenVerifier;
}

/** A service a test stack started, with what it was built from (its parts: config, db, clients, verifier). */
export interface TestService<C, N, S> {
  service: S;
  config: C;
  parts: ServiceParts<C, N>;
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>, when it serves gRPC. */
  grpcAddress: string | undefined;
  /** Stops the service, closes its clients and its own database (once; the stack's stop() does it too). */
  stop(): Promise<void>;
}

export interface TestStack {
  kind: AdapterKind;
  /** The adapters every service of the stack shares, so sessions and events flow as in production. */
  adapters: Adapters;
  /**
   * Starts a service from its definition on ephemeral ports, on a fresh test database, its config
   * pointing at the services started before (their gRPC address for each client it needs,
   * accounts' URL for its verifier), each client and verifier built as in its own process.
   */
  start<C extends ServiceConfig, N extends ServiceNeeds<C>, S extends RunnableService>(
    definition: ServiceDefinition<C, N, S>,
    options?: TestServiceOptions,
  ): Promise<TestService<C, N, S>>;
  /** A fresh folder under the system's temporary one, removed at stop() (a service's FILES_DIR). */
  tempDir(prefix: string): string;
  /** Runs close at stop(), before what was started or deferred earlier. */
  defer(close: () => Promise<void> | void): void;
  /** Everything started or deferred, latest first, then the adapters. */
  stop(): Promise<void>;
}

/** A stack of services in this process sharing one set of test adapters of the kind (createTestAdapters). */
export function createTestStack(kind: AdapterKind): TestStack {
  const adapters = createTestAdapters(kind, createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent'));
  const started = new Map<string, { url: string; grpcAddress: string | undefined }>();
  const stops: (() => Promise<void>)[] = [];
  const defer = (close: () => Promise<void> | void): void => {
    stops.unshift(async () => close());
  };

  async function start<C extends ServiceConfig, N extends ServiceNeeds<C>, S extends RunnableService>(
    definition: ServiceDefinition<C, N, S>,
    options: TestServiceOptions = {},
  ): Promise<TestService<C, N, S>> {
    const { name, needs } = definition;
    const peers: Record<string, string | undefined> = {};
    for (const [target, need] of Object.entries(needs.clients ?? {})) peers[need.address] = started.get(target)?.grpcAddress;
    if (needs.verifier) peers[needs.verifier.accountsUrl] = started.get('accounts')?.url;
    const defined = Object.fromEntries(Object.entries(peers).filter(([, value]) => value !== undefined));
    const config = loadConfig(definition.config, { PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent', ...defined, ...options.env });
    const logger = createLogger(name, config.LOG_LEVEL);
    const closers: (() => Promise<void>)[] = [];
    const closeAll = async (): Promise<void> => {
      for (const close of closers.splice(0)) await close().catch(() => undefined);
    };
    let parts: ServiceParts<C, N> | undefined;
    // Keeps the parts create() is handed, so the test can reach the service's clients and verifier.
    const keepingParts: ServiceDefinition<C, N, S> = {
      ...definition,
      create: (given) => {
        parts = given;
        return definition.create(given);
      },
    };
    try {
      const service = await createService(keepingParts, config, {
        logger,
        metrics: createMetrics(name),
        adapters: () => options.adapters ?? adapters,
        async openDb() {
          if (options.db) return options.db;
          const db = await openTestDb(kind);
          closers.unshift(() => db.close());
          return db;
        },
        client(_target, ClientClass, address) {
          const client = createGrpcClient(ClientClass, address, { logger, deadlineMs: config.GRPC_DEADLINE_MS });
          closers.unshift(async () => client.close());
          return client;
        },
        verifyToken: options.verifyToken,
      });
      const ports = await service.start();
      closers.unshift(() => service.stop());
      const url = `http://127.0.0.1:${ports.httpPort}`;
      const grpcAddress = ports.grpcPort === undefined ? undefined : `127.0.0.1:${ports.grpcPort}`;
      started.set(name, { url, grpcAddress });
      stops.unshift(closeAll);
      return { service, config, parts: parts!, url, grpcAddress, stop: closeAll };
    } catch (error) {
      await closeAll();
      throw error;
    }
  }

  return {
    kind,
    adapters,
    start,
    defer,
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      defer(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    async stop() {
      for (const stop of stops.splice(0)) await stop().catch(() => undefined);
      await adapters.close();
    },
  };
}

/** A test stack of the kind put together by build; if build fails, what it started is stopped before the error is thrown. */
export async function buildTestStack<T>(kind: AdapterKind, build: (stack: TestStack) => Promise<T>): Promise<T> {
  const stack = createTestStack(kind);
  try {
    return await build(stack);
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
