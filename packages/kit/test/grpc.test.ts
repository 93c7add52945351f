import { once } from 'node:events';
import { Writable } from 'node:stream';
import { status as GrpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js';
import { accountsV1 } from '@parley/contracts';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError, notFound, unavailable } from '../src/errors.ts';
import { createGrpcClient, createGrpcServer, unary, type GrpcCallContext, type GrpcServer } from '../src/grpc/index.ts';
import { READ_RETRIES } from '../src/grpc/client.ts';
import { requestContext } from '../src/logger.ts';

/** A logger whose JSON lines the tests can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const alice: accountsV1.User = { id: 'u-alice', username: 'alice', displayName: 'Alice', bio: '', status: 'online', chosenStatus: 'online' };

describe('gRPC helpers', () => {
  const { logger, lines } = capturingLogger();
  let server: GrpcServer;
  let address: string;
  let client: accountsV1.UsersClient;
  const seen: { requestId?: string; aborted?: boolean; flakyCalls: number } = { flakyCalls: 0 };

  // Special ids steer the test service into each failure it must survive.
  async function getUsers(request: accountsV1.GetUsersRequest, context: GrpcCallContext): Promise<accountsV1.GetUsersResponse> {
    seen.requestId = context.requestId;
    const [first] = request.ids;
    if (first === 'missing') throw notFound('user');
    if (first === 'boom') throw new Error('password=hunter2 at db.internal:5432');
    if (first === 'slow') {
      // Runs until the call is cancelled: whatever the client gets first cannot be its answer.
      if (!context.signal.aborted) await once(context.signal, 'abort');
      seen.aborted = context.signal.aborted;
    }
    if (first === 'flaky' && ++seen.flakyCalls < 3) throw unavailable();
    return { users: request.ids.includes(alice.id) ? [alice] : [] };
  }

  beforeAll(async () => {
    server = createGrpcServer({ logger, shutdownGraceMs: 1000 });
    server.addService(accountsV1.UsersService, {
      getUsers,
      checkSession: async () => ({ live: false }),
      listContactOf: async () => ({ userIds: [], truncated: false }),
    });
    const port = await server.listen('127.0.0.1', 0);
    expect(port).toBeGreaterThan(0);
    address = `127.0.0.1:${port}`;
    client = createGrpcClient(accountsV1.UsersClient, address, { logger });
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('answers a call with the handler’s data; unknown ids are absent', async () => {
    const response = await unary(client, 'getUsers', { ids: [alice.id, 'u-nobody'] });
    expect(response.users).toEqual([{ ...alice, avatarUrl: undefined, lastSeenAt: undefined }]);
  });

  it('carries the caller’s request id to the handler', async () => {
    await requestContext.run({ requestId: 'req-123' }, () => unary(client, 'getUsers', { ids: [] }));
    expect(seen.requestId).toBe('req-123');
  });

  it('turns an AppError into its status and back into the same kind of AppError', async () => {
    const error: unknown = await unary(client, 'getUsers', { ids: ['missing'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'not_found', httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND, message: 'No such user.' });
  });

  it('answers an unexpected throw with INTERNAL and an errorId, never its message', async () => {
    const raw = await new Promise<ServiceError | null>((resolve) => {
      client.getUsers({ ids: ['boom'] }, (error) => resolve(error));
    });
    expect(raw?.code).toBe(GrpcStatus.INTERNAL);
    expect(raw?.details).toMatch(/^Internal error; errorId [0-9a-f-]{36}\.$/);
    const errorId = raw?.details.match(/errorId (\S+)\./)?.[1];
    const logged = lines.find((line) => line.errorId === errorId);
    expect(logged).toMatchObject({ level: 50, method: '/accounts.v1.Users/GetUsers' });
    expect(JSON.stringify(logged)).toContain('hunter2');

    const mapped: unknown = await unary(client, 'getUsers', { ids: ['boom'] }).catch((e: unknown) => e);
    expect(mapped).toMatchObject({ code: 'unavailable', httpStatus: 503 });
    expect((mapped as Error).message).not.toMatch(/hunter2|db\.internal/);
  });

  it('gives up at the deadline with unavailable, and the handler sees the cancellation', async () => {
    delete seen.aborted;
    const error: unknown = await unary(client, 'getUsers', { ids: ['slow'] }, { deadlineMs: 100 }).catch((e: unknown) => e);
    // The handler ends only once cancelled: the client gave up on its own deadline.
    expect(error).toMatchObject({ code: 'unavailable', httpStatus: 503 });
    await vi.waitFor(() => expect(seen.aborted).toBe(true), { timeout: 5_000, interval: 20 });
  });

  it('a client made with a deadline (GRPC_DEADLINE_MS of the service) gives every call that deadline', async () => {
    const quick = createGrpcClient(accountsV1.UsersClient, address, { logger, deadlineMs: 100 });
    try {
      // The call options unary hands grpc-js: a deadline 100 ms out, not the kit's 2,000 ms default.
      const asked: { deadline?: number }[] = [];
      const getUsers = quick.getUsers.bind(quick) as (...args: unknown[]) => unknown;
      (quick as unknown as { getUsers: (...args: unknown[]) => unknown }).getUsers = (...args: unknown[]) => {
        asked.push(args[2] as { deadline?: number });
        return getUsers(...args);
      };
      const before = Date.now();
      await unary(quick, 'getUsers', { ids: [alice.id] });
      expect(asked).toHaveLength(1);
      expect(asked[0]!.deadline! - before).toBeGreaterThanOrEqual(100);
      expect(asked[0]!.deadline! - before).toBeLessThan(1000);
    } finally {
      quick.close();
    }
  });

  it('an idempotent call is retried READ_RETRIES times', async () => {
    seen.flakyCalls = 0;
    const response = await unary(client, 'getUsers', { ids: ['flaky', alice.id] }, { idempotent: true, backoffMs: 5 });
    expect(response.users.map((user) => user.id)).toEqual([alice.id]);
    expect(seen.flakyCalls).toBe(1 + READ_RETRIES);
  });

  it('retries transient failures only when told to', async () => {
    seen.flakyCalls = 0;
    await expect(unary(client, 'getUsers', { ids: ['flaky'] })).rejects.toMatchObject({ code: 'unavailable' });
    expect(seen.flakyCalls).toBe(1);

    seen.flakyCalls = 0;
    const response = await unary(client, 'getUsers', { ids: ['flaky', alice.id] }, { retries: 2, backoffMs: 5 });
    expect(response.users.map((user) => user.id)).toEqual([alice.id]);
    expect(seen.flakyCalls).toBe(3);
  });

  it('sends caller metadata along', async () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', 'from-metadata');
    await unary(client, 'getUsers', { ids: [] }, { metadata });
    expect(seen.requestId).toBe('from-metadata');
  });

  it('rejects an implementation that misses a method', () => {
    const other = createGrpcServer({ logger });
    // @ts-expect-error getUsers is required
    expect(() => other.addService(accountsV1.UsersService, {})).toThrow(/no implementation for getUsers/);
  });

  it('closes: calls in flight finish, later calls are unavailable', async () => {
    const { logger: quiet } = capturingLogger();
    const closing = createGrpcServer({ logger: quiet });
    // The call is in flight once the server is inside its handler (not after a guessed sleep), and
    // stays there until the server has begun to close.
    let arrived!: () => void;
    const handling = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    closing.addService(accountsV1.UsersService, {
      checkSession: async () => ({ live: false }),
      listContactOf: async () => ({ userIds: [], truncated: false }),
      getUsers: async () => {
        arrived();
        await released;
        return { users: [alice] };
      },
    });
    const port = await closing.listen('127.0.0.1', 0);
    const closingClient = createGrpcClient(accountsV1.UsersClient, `127.0.0.1:${port}`);
    const inFlight = unary(closingClient, 'getUsers', { ids: [] });
    await handling;
    const closed = closing.close();
    release();
    await closed;
    await expect(inFlight).resolves.toEqual({ users: [expect.objectContaining({ id: alice.id })] });
    await expect(closing.close()).resolves.toBeUndefined();
    await expect(unary(closingClient, 'getUsers', { ids: [] }, { deadlineMs: 500 })).rejects.toMatchObject({ code: 'unavailable' });
    closingClient.close();
  });

  it('keeps method names and payloads typed', () => {
    // Only checked by tsc: these lines would not compile.
    const typeChecks = (): void => {
      // @ts-expect-error close is not a unary method
      void unary(client, 'close', {});
      // @ts-expect-error ids must be strings
      void unary(client, 'getUsers', { ids: [1] });
    };
    expect(typeChecks).toBeTypeOf('function');
  });
});
