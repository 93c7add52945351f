import type { Client } from '@grpc/grpc-js';
import type { accountsV1 } from '@parley/contracts';
import { createRemoteTokenVerifier, type TokenVerifier } from '../auth.ts';
import type { GrpcClientConstructor } from '../grpc/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../ports.ts';
import type { Adapters } from '../runtime.ts';
import type { BackgroundService, ServiceConfig, ServiceDefinition, ServiceNeeds, ServiceParts } from './definition.ts';

/**
 * How a host supplies a service's needs: its own process (runService), every service in one
 * process (apps/standalone), or a test stack. The host owns what it supplies and closes it.
 */
export interface ServiceSupply {
  logger: Logger;
  metrics: Metrics;
  adapters(): Adapters;
  /** The service's database; url is its variable's value (undefined: embedded). */
  openDb(service: string, url: string | undefined): Promise<Db>;
  /** A client of the service `target`, whose address the config gives (a host may know better). */
  client(target: string, ClientClass: GrpcClientConstructor<Client>, address: string): Client;
  /** A verifier of the host's own (standalone: accounts' in-process one); default: the remote verifier of the needs. */
  verifyToken?: TokenVerifier | undefined;
}

/** Builds what the definition needs from the supply, in order (adapters, database, clients, verifier), and creates the service. */
export async function createService<C extends ServiceConfig, N extends ServiceNeeds<C>, S extends BackgroundService>(
  definition: ServiceDefinition<C, N, S>,
  config: C,
  supply: ServiceSupply,
): Promise<S> {
  const { needs, name } = definition;
  const setting = (variable: string): unknown => (config as Record<string, unknown>)[variable];
  const adapters = needs.adapters ? supply.adapters() : undefined;
  const db = needs.database ? await supply.openDb(needs.database.owner ?? name, setting(needs.database.url) as string | undefined) : undefined;
  const clients: Record<string, Client> = {};
  for (const [target, need] of Object.entries(needs.clients ?? {})) {
    clients[target] = supply.client(target, need.client, String(setting(need.address)));
  }
  let verifyToken = supply.verifyToken;
  if (needs.verifier && !verifyToken) {
    const accounts = clients.accounts as accountsV1.UsersClient | undefined;
    if (!adapters || !accounts) throw new Error(`${name}: a token verifier needs the adapters (its cache) and clients.accounts`);
    const { accountsUrl, deadlineMs } = needs.verifier;
    verifyToken = createRemoteTokenVerifier({
      accountsUrl: String(setting(accountsUrl)),
      cache: adapters.cache,
      accounts,
      ...(deadlineMs !== undefined && { deadlineMs: typeof deadlineMs === 'number' ? deadlineMs : Number(setting(deadlineMs)) }),
    });
  }
  const parts = { config, logger: supply.logger, metrics: supply.metrics, clients, adapters, db, verifyToken };
  // The conditional parts type cannot be built field by field; every part asked for is set above.
  return definition.create(parts as unknown as ServiceParts<C, N>);
}
