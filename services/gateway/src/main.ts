import { assertPortsFreeOrExit, createLogger, createMetrics, loadConfigOrExit, runUntilSignal, startMetricsServer, exitOnPortUnavailable } from '@parley/kit';
import { createGateway } from './app.ts';
import { gatewayConfigSchema } from './config.ts';

const config = loadConfigOrExit(gatewayConfigSchema);
await assertPortsFreeOrExit(config.HOST, { PORT: config.PORT });
const logger = createLogger('gateway', config.LOG_LEVEL);
const metrics = createMetrics('gateway');
const metricsServer = await exitOnPortUnavailable(startMetricsServer({ registry: metrics.registry, host: config.METRICS_HOST, port: config.METRICS_PORT, logger }));
const gateway = await createGateway(
  config,
  logger,
  {
    accounts: config.ACCOUNTS_URL,
    groups: config.GROUPS_URL,
    messages: config.MESSAGES_URL,
    notifications: config.NOTIFICATIONS_URL,
  },
  metrics,
);
await gateway.listen({ host: config.HOST, port: config.PORT });
logger.info({ port: config.PORT }, 'gateway ready');
runUntilSignal(logger, async () => {
  await gateway.close();
  await metricsServer.close();
});
