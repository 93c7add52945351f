import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { PortUnavailableError } from './startup.ts';

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
  /**
   * Whether the operator chose the port (default: the variable is set). A chosen port that is
   * taken fails the start (PortUnavailableError); a default one that is taken (another instance
   * on the same host) gives way to a free port, said in a warning.
   */
  portChosen?: boolean;
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
  const variable = options.variable ?? 'METRICS_PORT';
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' || (options.portChosen ?? process.env[variable] !== undefined)) {
      throw new PortUnavailableError(options.port, variable, code ?? String(error));
    }
    await listen(0);
    logger.warn(
      { host: options.host, port: (server.address() as AddressInfo).port, defaultPort: options.port },
      `the default metrics port ${options.port} is taken (another instance on this host?): metrics are on a free port instead; set ${variable} to choose one`,
    );
  }
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
