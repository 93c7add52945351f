import { accountsConfigSchema, createAccountsService } from '@parley/accounts';
import { gatewayConfigSchema, createGateway } from '@parley/gateway';
import { createAdapters, createLogger, loadConfig, openServiceDb, type Db } from '@parley/kit';

export interface Platform {
  /** The public origin, e.g. http://localhost:8080. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Every service in one process, the way `npm start` runs Parley: embedded PGlite databases
 * under DATA_DIR, in-process bus, cache, pub/sub and jobs (or the real ones where their URLs
 * are set), services on loopback ports, and the gateway as the one public origin.
 */
export async function startPlatform(env: Record<string, string | undefined> = process.env): Promise<Platform> {
  // Services listen on free loopback ports; only the gateway takes HOST and PORT.
  const internal = { ...env, HOST: '127.0.0.1', PORT: '0', GRPC_PORT: '0' };
  const gatewayConfig = loadConfig(gatewayConfigSchema, env);
  const accountsConfig = loadConfig(accountsConfigSchema, internal);

  const adapters = createAdapters({ redisUrl: gatewayConfig.REDIS_URL, amqpUrl: gatewayConfig.AMQP_URL, logger: createLogger('platform', gatewayConfig.LOG_LEVEL) });
  const databases: Db[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    const accountsDb = await openServiceDb({ url: accountsConfig.ACCOUNTS_DATABASE_URL, dataDir: accountsConfig.DATA_DIR, service: 'accounts' });
    databases.push(accountsDb);
    const accounts = await createAccountsService({
      config: accountsConfig,
      db: accountsDb,
      ...adapters,
      jobs: adapters.jobs('accounts'),
      logger: createLogger('accounts', accountsConfig.LOG_LEVEL),
      runWorker: true,
    });
    const accountsPorts = await accounts.start();
    stops.push(() => accounts.stop());

    const gateway = await createGateway(gatewayConfig, createLogger('gateway', gatewayConfig.LOG_LEVEL), {
      accounts: `http://127.0.0.1:${accountsPorts.httpPort}`,
    });
    await gateway.listen({ host: gatewayConfig.HOST, port: gatewayConfig.PORT });
    stops.unshift(() => gateway.close());
    const address = gateway.server.address();
    const port = typeof address === 'object' && address ? address.port : gatewayConfig.PORT;
    return { url: `http://localhost:${port}`, port, stop: () => stopAll(stops, adapters, databases) };
  } catch (error) {
    await stopAll(stops, adapters, databases);
    throw error;
  }
}

async function stopAll(stops: (() => Promise<void>)[], adapters: { close(): Promise<void> }, databases: Db[]): Promise<void> {
  for (const stop of stops) await stop().catch(() => undefined);
  await adapters.close();
  // PGlite must be closed, or its WASM instance keeps the process alive.
  await Promise.allSettled(databases.map((db) => db.close()));
}
