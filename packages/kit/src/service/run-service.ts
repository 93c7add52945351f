import { loadConfigOrExit } from '../config.ts';
import { createGrpcClient } from '../grpc/client.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { startMetricsServer } from '../metrics-server.ts';
import { runUntilSignal } from '../process.ts';
import { createAdapters, openServiceDb } from '../runtime.ts';
import { assertPortsFreeOrExit, exitOnPortUnavailable } from '../startup.ts';
import { createService } from './build.ts';
import type { BackgroundService, ServiceConfig, ServiceDefinition, ServiceNeeds, ServicePorts } from './definition.ts';

export interface RunningProcess<P = Partial<ServicePorts>> {
  ports: P;
  /** What a signal runs: the service, then everything opened for it in reverse order. */
  stop(): Promise<void>;
}

/**
 * A service as its own process (distributed mode), the whole of a `main.ts`: its config (every
 * bad variable said, exit 1), its ports checked free (a taken one said in one line, exit 1),
 * logger, metrics server, adapters, database, gRPC clients and verifier from the config, then
 * start, `<name> ready`, and on SIGINT/SIGTERM the service stopped and the rest closed in
 * reverse order of opening.
 */
export async function runService<C extends ServiceConfig, N extends ServiceNeeds<C>, S extends BackgroundService>(
  definition: ServiceDefinition<C, N, S>,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningProcess<Awaited<ReturnType<S['start']>>>> {
  const { name } = definition;
  const metricsPort = definition.metricsPort ?? 'METRICS_PORT';
  const config = loadConfigOrExit(definition.config, env);
  await assertPortsFreeOrExit(config.HOST, Object.fromEntries(definition.listens.map((variable) => [variable, config[variable] as number])));
  const logger = createLogger(name, config.LOG_LEVEL);
  const metrics = createMetrics(name);
  const closers: (() => Promise<void>)[] = [];
  const opened = <T>(resource: T, close: () => Promise<void> | void): T => {
    closers.unshift(async () => close());
    return resource;
  };
  const metricsServer = await exitOnPortUnavailable(
    startMetricsServer({
      registry: metrics.registry,
      host: config.METRICS_HOST,
      port: config[metricsPort] as number,
      portChosen: env[metricsPort] !== undefined,
      variable: metricsPort,
      logger,
    }),
  );
  opened(metricsServer, () => metricsServer.close());
  const service = await createService(definition, config, {
    logger,
    metrics,
    adapters() {
      const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
      return opened(adapters, () => adapters.close());
    },
    async openDb(service, url) {
      const db = await openServiceDb({ url, dataDir: config.DATA_DIR, service, queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS });
      return opened(db, () => db.close());
    },
    client(_target, ClientClass, address) {
      const client = createGrpcClient(ClientClass, address, { logger, metrics, deadlineMs: config.GRPC_DEADLINE_MS });
      return opened(client, () => client.close());
    },
  });
  const started: Partial<ServicePorts> = await exitOnPortUnavailable(service.start());
  logger.info(started, `${name} ready`);
  const ports = started as Awaited<ReturnType<S['start']>>;
  const stop = async (): Promise<void> => {
    await service.stop();
    for (const close of closers) await close();
  };
  runUntilSignal(logger, stop);
  return { ports, stop };
}
