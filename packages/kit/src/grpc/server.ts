import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type handleUnaryCall,
  type Metadata,
  type ServerOptions,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { newId } from '../ids.ts';
import { requestContext, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { statusName, statusOfError } from './errors.ts';

/** What a handler knows about its call besides the request. */
export interface GrpcCallContext {
  /** The correlation id: the caller's `x-request-id` when it sent one, else a new one. */
  requestId: string;
  metadata: Metadata;
  /** Aborted when the caller cancels or its deadline passes: stop work nobody will read. */
  signal: AbortSignal;
}

type UnaryMethod<Req, Res> = {
  requestStream: false;
  responseStream: false;
  requestDeserialize: (bytes: Buffer) => Req;
  responseSerialize: (value: Res) => Buffer;
};

/**
 * One `async (request, context) => response` per method of the definition, typed from it.
 * Streaming methods are not supported (none of our contracts has one) and type as `never`.
 */
export type GrpcImplementation<D extends ServiceDefinition> = {
  [K in keyof D]: D[K] extends UnaryMethod<infer Req, infer Res> ? (request: Req, context: GrpcCallContext) => Promise<Res> : never;
};

export interface GrpcServerOptions {
  logger: Logger;
  /** Where the latency of every call served goes, by method and status. */
  metrics?: Metrics;
  /** How long close() lets calls in flight finish before cutting them off. Default 5000. */
  shutdownGraceMs?: number;
  /** Insecure by default: services talk inside a private network. */
  credentials?: ServerCredentials;
  serverOptions?: ServerOptions;
}

export interface GrpcServer {
  addService<D extends ServiceDefinition>(definition: D, implementation: GrpcImplementation<D>): void;
  /** Binds and starts serving; port 0 picks a free one. Resolves to the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting calls, lets those in flight finish (up to the grace period), then stops. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

function requestIdOf(metadata: Metadata): string {
  const [given] = metadata.get('x-request-id');
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
}

/** Records a method's call latencies by status, with one label object per status seen. */
function latencyRecorder(metrics: Metrics | undefined, method: string): (code: GrpcStatus, started: number) => void {
  if (!metrics) return () => undefined;
  const { grpcServerDuration } = metrics.families;
  const labels = new Map<GrpcStatus, { service: string; method: string; status: string }>();
  return (code, started) => {
    let byStatus = labels.get(code);
    if (!byStatus) {
      byStatus = { service: metrics.service, method, status: statusName(code) };
      labels.set(code, byStatus);
    }
    grpcServerDuration.observe(byStatus, (performance.now() - started) / 1000);
  };
}

/** `host:port` for grpc-js; IPv6 literals need brackets. */
const bindAddress = (host: string, port: number): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * A gRPC server whose handlers are plain async functions: an AppError answers its grpcStatus
 * and message; anything else answers INTERNAL with an errorId and is logged with it.
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { logger } = options;
  const server = new Server(options.serverOptions);
  let closing: Promise<void> | undefined;

  function adapt<Req, Res>(method: string, implementation: (request: Req, context: GrpcCallContext) => Promise<Res>): handleUnaryCall<Req, Res> {
    const observe = latencyRecorder(options.metrics, method);
    return (call: ServerUnaryCall<Req, Res>, callback) => {
      const started = performance.now();
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort(new Error('The call was cancelled or its deadline passed.')));
      const context: GrpcCallContext = { requestId: requestIdOf(call.metadata), metadata: call.metadata, signal: controller.signal };
      requestContext.run({ requestId: context.requestId }, () => {
        // The promise chain keeps the store; Promise.resolve().then also turns a synchronous throw into a rejection.
        Promise.resolve()
          .then(() => implementation(call.request, context))
          .then(
            (response) => {
              observe(GrpcStatus.OK, started);
              callback(null, response);
            },
            (error: unknown) => {
              const answer = statusOfError(error, logger, method);
              observe(answer.code, started);
              callback(answer);
            },
          );
      });
    };
  }

  return {
    addService(definition, implementation) {
      const handlers: UntypedServiceImplementation = {};
      for (const [name, method] of Object.entries(definition)) {
        if (method.requestStream || method.responseStream) {
          throw new Error(`${method.path}: only unary methods are supported`);
        }
        // The mapped type guarantees the shape; the loop over a generic definition cannot see it.
        const handler = (implementation as Record<string, unknown>)[name];
        if (typeof handler !== 'function') throw new Error(`${method.path}: no implementation for ${name}`);
        const run = handler as (request: unknown, context: GrpcCallContext) => Promise<unknown>;
        handlers[name] = adapt(method.path, (request: unknown, context) => run.call(implementation, request, context));
      }
      server.addService(definition, handlers);
    },

    listen(host, port) {
      return new Promise((resolve, reject) => {
        // bindAsync starts serving by itself since grpc-js 1.10; start() is deprecated.
        server.bindAsync(bindAddress(host, port), options.credentials ?? ServerCredentials.createInsecure(), (error, bound) => {
          if (error) reject(error);
          else {
            logger.info({ port: bound, host }, 'gRPC server listening');
            resolve(bound);
          }
        });
      });
    },

    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn('gRPC calls still running after the grace period; forcing shutdown');
          server.forceShutdown();
          resolve();
        }, options.shutdownGraceMs ?? 5000);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
