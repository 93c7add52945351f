import proxy from '@fastify/http-proxy';
import { asyncApiDocument } from '@parley/contracts';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHttpServer, createMetrics, forbidden, isOriginAllowed, unavailable, type HttpServer, type Logger, type Metrics } from '@parley/kit';
import { limitRequestBodies } from './body-limits.ts';
import type { GatewayConfig } from './config.ts';
import { mergedOpenApi } from './openapi.ts';
import { routeTable, uploadLimits, type Upstreams } from './routes.ts';
import { registerSpa } from './spa.ts';

/** The WebSocket protocol's AsyncAPI document: built once, it only changes with the code. */
const webSocketDocument = asyncApiDocument();

/**
 * The one public origin: `/api/v1/*` to the services, `/` the SPA. It holds no state; in
 * Kubernetes an Ingress can take its place.
 */
export async function createGateway(config: GatewayConfig, logger: Logger, upstreams: Upstreams, metrics: Metrics = createMetrics('gateway')): Promise<HttpServer> {
  const routes = routeTable(upstreams);
  const services = [...new Set(routes.map((r) => r.upstream))];
  const app = await createHttpServer({
    service: 'gateway',
    logger,
    metrics,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    // The public edge writes the one access line per request; the services log theirs at debug.
    accessLogLevel: 'info',
    // Named by service, not by internal address: /readyz is public.
    readiness: Object.fromEntries((Object.keys(upstreams) as (keyof Upstreams)[]).map((name) => [name, () => isReady(upstreams[name])])),
    // A service that runs without Redis (degraded) makes the platform degraded, not down.
    degradable: { redis: async () => (await Promise.all(services.map(isNotDegraded))).every(Boolean) },
  });
  const bodies = limitRequestBodies(app, uploadLimits(config));
  // Through the gateway as straight to notifications: a foreign page is refused at the handshake (403),
  // not upgraded and then closed (1011), which clients take for "retry".
  const checkOrigin = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const origin = request.headers.origin;
    done(isOriginAllowed(origin, request.host, config.WS_ALLOWED_ORIGINS) ? undefined : forbidden('This origin may not open a WebSocket here.'));
  };

  for (const route of routes) {
    const base = {
      upstream: route.upstream,
      prefix: route.prefix,
      rewritePrefix: route.prefix,
      // reply-from's two info lines per request ("fetching from remote server", "response
      // received"): the gateway's own access line says it once.
      disableRequestLogging: true,
    };
    if (route.websocket) {
      await app.register(proxy, {
        ...base,
        websocket: true,
        preHandler: checkOrigin,
        // The notifications service checks the browser's Origin and limits by client address.
        // (supported by the plugin, missing from its types)
        wsClientOptions: { rewriteRequestHeaders: forwardWsHeaders } as Record<string, unknown>,
      });
      continue;
    }
    await app.register(proxy, {
      ...base,
      replyOptions: {
        // The services see the client's address (rate limits, sessions) and the request id.
        // X-Forwarded-For is replaced, not appended: a client cannot pick its own address.
        // `Expect: 100-continue` was answered here (the proxy's HTTP client refuses the header).
        rewriteRequestHeaders: (request, headers) => forwardedHeaders(headers, request),
        onError: (reply, { error }) => {
          if (bodies.overflowed(reply.request)) return void reply.send(bodies.tooLarge(reply.request));
          reply.log.warn({ err: error }, 'the service behind this route did not answer');
          reply.send(unavailable('The service behind this route did not answer; try again shortly.'));
        },
      },
    });
  }

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => mergedOpenApi(services, logger));
  app.get('/api/v1/asyncapi.json', { schema: { hide: true } }, async () => webSocketDocument);

  await registerSpa(app, config.WEB_DIST_DIR, logger);
  return app;
}

/**
 * The request's headers as the service gets them. A copying loop, not `{ expect, ...rest }`:
 * object rest takes V8's slow path, microseconds on every proxied request.
 */
function forwardedHeaders(headers: IncomingHttpHeaders, request: { ip: string; id: string }): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = {};
  for (const name in headers) if (name !== 'expect') forwarded[name] = headers[name];
  forwarded['x-forwarded-for'] = request.ip;
  forwarded['x-request-id'] = request.id;
  return forwarded;
}

function forwardWsHeaders(headers: Record<string, string>, request: FastifyRequest): Record<string, string> {
  return {
    ...headers,
    ...(request.headers.origin ? { origin: request.headers.origin } : {}),
    // Lets notifications recognise a same-origin page whatever public host and port the gateway
    // has: the host the gateway judged the origin by (X-Forwarded-Host when TRUST_PROXY is on).
    ...(request.host ? { 'x-forwarded-host': request.host } : {}),
    'x-forwarded-for': request.ip,
    'x-request-id': request.id,
  };
}

/** False when the service answers that it runs degraded; an unreachable one is isReady's to report. */
async function isNotDegraded(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
    return ((await response.json()) as { status?: string }).status !== 'degraded';
  } catch {
    return true;
  }
}

async function isReady(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
