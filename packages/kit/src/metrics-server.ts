import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

export interface MetricsServer {
  /** The bound port (the one asked for, or the one picked for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` of a registry on its own port, apart from the public API: metrics
 * describe internals (routes, queues, pool sizes) that only the operator's Prometheus should see.
 * Bind it to loopback, or to the pod's address where Prometheus scrapes it (METRICS_HOST).
 * Everything else answers 404; a scrape that fails answers 500 and is logged.
 */
export async function startMetricsServer(options: {
  registry: Registry;
  host: string;
  port: number;
  logger: Logger;
  /** The variable that sets the port, named when the port is taken. Default METRICS_PORT. */
  variable?: string;
}): Promise<MetricsServer> {
  const { registry, logger } = options;
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        logger.error({ err }, 'collecting metrics failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Collecting metrics failed.\n');
      },
    );
  });
  // A scrape is one short request; do not let an idle keep-alive connection hold close().
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') reject(error);
      else reject(new Error(`The metrics port ${options.host}:${options.port} is already in use; ${options.variable ?? 'METRICS_PORT'} moves it.`, { cause: error }));
    });
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port }, 'metrics listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
