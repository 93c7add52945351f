import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorCode } from '../errors.ts';
import { PortUnavailableError } from '../startup.ts';

/**
 * Listens on host:port (0: any free port) and resolves to the port bound. A port taken since
 * the start-up check (assertPortsFree) is a PortUnavailableError naming its variable.
 */
export async function listenHttp(app: Pick<FastifyInstance, 'listen' | 'server'>, host: string, port: number, variable = 'PORT'): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    throw errorCode(error) === 'EADDRINUSE' ? new PortUnavailableError(port, variable, 'EADDRINUSE') : error;
  }
  return (app.server.address() as AddressInfo).port;
}
