import proxy from '@fastify/http-proxy';
import type { FastifyRequest } from 'fastify';
import { createHttpServer, createMetrics, type HttpServer, type Logger, type Metrics } from '@parley/kit';
import type { GatewayConfig } from './config.ts';
import { mergedOpenApi } from './openapi.ts';
import { routeTable, type Upstreams } from './routes.ts';
import { registerSpa } from './spa.ts';

/**
 * The one public origin: `/api/v1/*` to the services, `/` the SPA. It holds no state; in
 * Kubernetes an Ingress can take its place.
 */
export async function createGateway(
  config: GatewayConfig,
  logger: Logger,
  upstreams: Upstreams,
  metrics: Metrics = createMetrics('gateway'),
): Promise<HttpServer> {
  const routes = routeTable(upstreams);
  const services = [...new Set(routes.map((r) => r.upstream))];
  const app = await createHttpServer({
    service: 'gateway',
    logger,
    metrics,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    readiness: Object.fromEntries(services.map((base) => [base, () => isReady(base)])),
  });

  for (const route of routes) {
    const base = { upstream: route.upstream, prefix: route.prefix, rewritePrefix: route.prefix };
    if (route.websocket) {
      await app.register(proxy, {
        ...base,
        websocket: true,
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
        rewriteRequestHeaders: (request, headers) => ({
          ...headers,
          'x-forwarded-for': request.ip,
          'x-request-id': request.id,
        }),
      },
    });
  }

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => mergedOpenApi(services, logger));

  await registerSpa(app, config.WEB_DIST_DIR, logger);
  return app;
}

function forwardWsHeaders(headers: Record<string, string>, request: FastifyRequest): Record<string, string> {
  return {
    ...headers,
    ...(request.headers.origin ? { origin: request.headers.origin } : {}),
    // Lets notifications recognise a same-origin page whatever public host and port the gateway has.
    ...(request.headers.host ? { 'x-forwarded-host': request.headers.host } : {}),
    'x-forwarded-for': request.ip,
    'x-request-id': request.id,
  };
}

async function isReady(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
