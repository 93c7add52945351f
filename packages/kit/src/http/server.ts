import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, badRequest, notFound, tooManyRequests } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import { requestContext, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { DEFAULT_BODY_LIMIT_BYTES, declaredBodyLength, discardsOversizeBody } from './body-limit.ts';
import { handleError, problemOf, sendProblem } from './problem.ts';
import { serializerCompiler } from './serializer.ts';
import { validatorCompiler } from './validator.ts';

export type HttpServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, ZodTypeProvider>;

export type ReadinessCheck = () => Promise<boolean>;

export interface HttpServerOptions {
  service: string;
  logger: Logger;
  /** Where request latencies go; they are served on the metrics port (startMetricsServer), never here. */
  metrics: Metrics;
  /** Dependencies /readyz checks: `{ database: () => db.ping() }`. Any failing: 503. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Dependencies the service runs without, degraded (`{ redis: () => cache.ping() }`): a failing
   * one is reported as `"degraded"` with a 200, so an orchestrator does not restart pods that
   * still serve, and as `parley_degraded{dependency} 1` on /metrics.
   */
  degradable?: Record<string, ReadinessCheck>;
  /** Requests per minute per client IP; auth endpoints add stricter limits of their own. */
  rateLimitPerMinute?: number;
  /** Default JSON body limit; upload routes raise their own. */
  bodyLimitBytes?: number;
  /** Produce an OpenAPI document from the route schemas at /openapi.json. */
  openapi?: { title: string; version: string };
  /** Trust X-Forwarded-For from the gateway / ingress. */
  trustProxy?: boolean;
  /** Level of the one line logged per request: `info` at the public edge (the gateway), `debug` behind it. */
  accessLogLevel?: 'info' | 'debug';
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The HTTP server every service starts from: zod validation, problem+json errors, request ids
 * in logs, request metrics, health and readiness, rate limiting and an OpenAPI document.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const accessLogLevel = options.accessLogLevel ?? 'debug';
  const app = Fastify({
    loggerInstance: options.logger,
    // Our own onResponse hook logs requests (at accessLogLevel) with the route and timing.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy ?? true,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    // Bodies are validated by zod; keep the parser from accepting prototype pollution.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 200,
      // Router-level rejections bypass the error handler: answer them as problem+json too.
      onMaxParamLength: (_path, _req, res) => {
        const problem = problemOf(new AppError('uri_too_long', 414, 3, 'URI too long', 'A path segment is too long.'));
        res.writeHead(414, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
      },
    },
    frameworkErrors: (_error, _request, reply) => {
      void sendProblem(reply, problemOf(badRequest('The URL is not valid.')));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    // Fastify closes the connection after refusing an oversize body. Declared within reach,
    // the body is read and thrown away instead: the client (the gateway, often) is still
    // sending it, and a close would reset its connection (EPIPE) before it reads the 413.
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && discardsOversizeBody(declaredBodyLength(request.headers), request.routeOptions.bodyLimit)) {
      reply.header('connection', 'keep-alive');
    }
    return handleError(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) => {
    void request;
    return sendProblem(reply, problemOf(notFound('route')));
  });

  // close() waits for open connections; a keep-alive socket Node still counts as busy can hold
  // it for the whole keep-alive timeout (72 s). Requests in flight get a grace period, then go.
  app.addHook('preClose', (done) => {
    setTimeout(() => app.server.closeAllConnections(), 3000).unref();
    done();
  });

  // Hooks with nothing to await take the callback form: an async hook costs a promise and a
  // microtask per request (and with the request context's async hooks on, more than that).
  app.addHook('onRequest', (request, reply, done) => {
    requestContext.enterWith({ requestId: request.id });
    reply.header('x-request-id', request.id);
    // API answers carry private data: no cache may keep them, no browser may guess their type.
    // A route that is public and cacheable (avatars, files) sets its own Cache-Control.
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
    done();
  });
  const { httpDuration } = options.metrics.families;
  const service = options.metrics.service;
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern (`/api/v1/conversations/:id`), never the raw URL: bounded label values.
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ service, method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (options.logger.isLevelEnabled(accessLogLevel)) {
      request.log[accessLogLevel]({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    }
    done();
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    allowList: (request) => ['/healthz', '/readyz'].includes(request.url),
    errorResponseBuilder: (_request, context) => tooManyRequests(context.ttl / 1000),
  });

  if (options.openapi) {
    await app.register(fastifySwagger, {
      openapi: {
        info: { title: options.openapi.title, version: options.openapi.version },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
      transform: jsonSchemaTransform,
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', service: options.service }));
  const runChecks = (checks: Record<string, ReadinessCheck> = {}) =>
    Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const));
  const degradable = options.degradable ?? {};
  if (Object.keys(degradable).length > 0) {
    const { degraded } = options.metrics.families;
    options.metrics.onScrape('degraded', async () => {
      for (const [dependency, ok] of await runChecks(degradable)) degraded.set({ service, dependency }, ok ? 0 : 1);
    });
  }

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const [hard, soft] = await Promise.all([runChecks(options.readiness), runChecks(degradable)]);
    const ready = hard.every(([, ok]) => ok);
    const degraded = soft.some(([, ok]) => !ok);
    const checks: Record<string, boolean | 'degraded'> = Object.fromEntries(hard);
    for (const [name, ok] of soft) checks[name] = ok || 'degraded';
    const status = !ready ? 'not ready' : degraded ? 'degraded' : 'ready';
    return reply.code(ready ? 200 : 503).send({ status, checks });
  });

  return app;
}

/** A uuid path parameter check that answers 404 for malformed ids, as for unknown ones. */
export const assertUuid = (value: string, what: string): void => {
  if (!isUuid(value)) throw notFound(what);
};

/**
 * The HTTP server of a service with its own database, the bus and the shared cache (every one
 * but the gateway): the per-IP limit from its config, an OpenAPI document titled after it, ready
 * while the database and the bus answer, degraded (200) while Redis does not (`redis` says how
 * the service tells; default the cache's ping).
 */
export function createServiceHttpServer(options: {
  service: string;
  logger: Logger;
  metrics: Metrics;
  config: { RATE_LIMIT_PER_MINUTE: number };
  db: { ping(): Promise<boolean> };
  bus: { ping(): Promise<boolean> };
  cache: { ping(): Promise<boolean> };
  redis?: ReadinessCheck;
}): Promise<HttpServer> {
  const { service, logger, metrics, db, bus, cache } = options;
  return createHttpServer({
    service,
    logger,
    metrics,
    rateLimitPerMinute: options.config.RATE_LIMIT_PER_MINUTE,
    openapi: { title: `Parley ${service}`, version: '1.0.0' },
    readiness: { database: () => db.ping(), bus: () => bus.ping() },
    degradable: { redis: options.redis ?? (() => cache.ping()) },
  });
}
