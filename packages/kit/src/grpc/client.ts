import { setTimeout as sleep } from 'node:timers/promises';
import {
  credentials,
  Metadata,
  status as GrpcStatus,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { currentRequestId, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { appErrorOf, isServiceError, statusName } from './errors.ts';

/** The constructor ts-proto generates (`accountsV1.UsersClient`), or any grpc-js client class. */
export type GrpcClientConstructor<C extends Client> = new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>) => C;

/** The full overload of a generated unary method; conditional types match an overloaded method by its last signature, which is this one. */
type UnaryClientMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** The unary method names of a client (`'getUsers'`), without grpc-js's own Client methods. */
export type UnaryMethodName<C> = {
  [K in keyof C]: C[K] extends UnaryClientMethod<infer _Req, infer _Res> ? K : never;
}[keyof C] &
  string;

export type RequestOf<C, M extends keyof C> = C[M] extends UnaryClientMethod<infer Req, infer _Res> ? Req : never;
export type ResponseOf<C, M extends keyof C> = C[M] extends UnaryClientMethod<infer _Req, infer Res> ? Res : never;

export interface GrpcClientOptions {
  /** Used by unary() to log failures of calls made with this client. */
  logger?: Logger;
  /** Where unary() records each call's latency (retries included) by method and final status. */
  metrics?: Metrics;
  /** Deadline of each attempt of this client's calls (the service's GRPC_DEADLINE_MS). Default 2000. */
  deadlineMs?: number;
  /** Insecure by default: services talk inside a private network. */
  credentials?: ChannelCredentials;
  channelOptions?: Partial<ClientOptions>;
}

export interface UnaryOptions {
  /** Deadline of each attempt. Default: the client's (createGrpcClient's deadlineMs, from config). */
  deadlineMs?: number;
  /**
   * A read, or anything safe to repeat: retried READ_RETRIES times after UNAVAILABLE or
   * DEADLINE_EXCEEDED. Not for writes: a timed-out write may have happened, and retrying repeats it.
   */
  idempotent?: boolean;
  /** Extra attempts, overriding `idempotent`'s (tests, or a caller with a reason). Default 0. */
  retries?: number;
  /** Wait before the first retry, doubled (with jitter) before each next one. Default 50. */
  backoffMs?: number;
  metadata?: Metadata;
  /** Overrides the client's logger for this call. */
  logger?: Logger;
}

/** Extra attempts of an idempotent call: two, with backoff, ride out a restart of one instance. */
export const READ_RETRIES = 2;
const DEFAULT_DEADLINE_MS = 2000;

const clientLoggers = new WeakMap<Client, Logger>();
const clientMetrics = new WeakMap<Client, Metrics>();
const clientDeadlines = new WeakMap<Client, number>();

/** A client of the generated class, connecting lazily on the first call. Close it with `client.close()`. */
export function createGrpcClient<C extends Client>(ClientCtor: GrpcClientConstructor<C>, address: string, options: GrpcClientOptions = {}): C {
  const client = new ClientCtor(address, options.credentials ?? credentials.createInsecure(), options.channelOptions);
  if (options.logger) clientLoggers.set(client, options.logger);
  if (options.metrics) clientMetrics.set(client, options.metrics);
  if (options.deadlineMs) clientDeadlines.set(client, options.deadlineMs);
  return client;
}

const RETRYABLE = new Set<GrpcStatus>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]);

/** `accounts.v1.Users/getUsers`, for logs: generated constructors carry their service name. */
function methodLabel(client: Client, method: string): string {
  const serviceName = (client.constructor as { serviceName?: unknown }).serviceName;
  return typeof serviceName === 'string' ? `${serviceName}/${method}` : method;
}

/**
 * Calls a unary method with a deadline, the caller's request id and, when told the call is
 * idempotent (`retries`), a few retries on transient failures. A failed call rejects with
 * the AppError the calling service would throw itself (see appErrorOf).
 */
export async function unary<C extends Client, M extends UnaryMethodName<C>>(
  client: C,
  method: M,
  request: RequestOf<C, M>,
  options: UnaryOptions = {},
): Promise<ResponseOf<C, M>> {
  const deadlineMs = options.deadlineMs ?? clientDeadlines.get(client) ?? DEFAULT_DEADLINE_MS;
  const retries = options.retries ?? (options.idempotent ? READ_RETRIES : 0);
  const backoffMs = options.backoffMs ?? 50;
  const logger = options.logger ?? clientLoggers.get(client);
  const label = methodLabel(client, method);

  const metadata = options.metadata?.clone() ?? new Metadata();
  const requestId = currentRequestId();
  if (requestId && metadata.get('x-request-id').length === 0) metadata.set('x-request-id', requestId);

  // UnaryMethodName<C> guarantees this shape; TypeScript cannot narrow C[M] through the generic.
  const call = client[method] as unknown as UnaryClientMethod<RequestOf<C, M>, ResponseOf<C, M>>;
  const attempt = (): Promise<ResponseOf<C, M>> =>
    new Promise((resolve, reject) => {
      call.call(client, request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) reject(error);
        else resolve(response);
      });
    });

  const metrics = clientMetrics.get(client);
  const started = performance.now();
  const observe = (code: GrpcStatus): void => {
    metrics?.families.grpcClientDuration.observe({ service: metrics.service, method: label, status: statusName(code) }, (performance.now() - started) / 1000);
  };

  for (let attemptNo = 0; ; attemptNo += 1) {
    try {
      const response = await attempt();
      observe(GrpcStatus.OK);
      return response;
    } catch (error) {
      // Anything but a ServiceError is a bug on our side (e.g. a request that cannot be serialised).
      if (!isServiceError(error)) throw error;
      if (attemptNo < retries && RETRYABLE.has(error.code)) {
        const delay = backoffMs * 2 ** attemptNo * (0.5 + Math.random() / 2);
        logger?.debug({ method: label, grpcStatus: statusName(error.code), attempt: attemptNo + 1, delay }, 'retrying gRPC call');
        await sleep(delay);
        continue;
      }
      observe(error.code);
      throw appErrorOf(error, logger, label);
    }
  }
}
