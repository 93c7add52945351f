import { createServer } from 'node:net';
import { errorCode } from './errors.ts';

/** A port a process needs is taken (or cannot be bound): said in one line, with the variable that moves it. */
export class PortUnavailableError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
    reason: string,
  ) {
    super(
      reason === 'EADDRINUSE'
        ? `port ${port} is in use (set ${variable} to use another)`
        : `port ${port} cannot be used (${reason}; set ${variable} to use another, or check HOST)`,
    );
    this.name = 'PortUnavailableError';
  }
}

function tryBind(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error) => {
      const code = errorCode(error);
      resolve(typeof code === 'string' ? code : error.message);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks, before anything slow starts, that every port the process will listen on can be
 * bound on host: a taken port is found in a second, not after the databases are up. Ports are
 * given by the variable that sets them (`{ PORT: 8080, GRPC_PORT: 4101 }`); 0 (any free port)
 * is skipped. Throws PortUnavailableError for the first that cannot be bound.
 */
export async function assertPortsFree(host: string, ports: Record<string, number>): Promise<void> {
  for (const [variable, port] of Object.entries(ports)) {
    if (port === 0) continue;
    const problem = await tryBind(host, port);
    if (problem) throw new PortUnavailableError(port, variable, problem);
  }
}

/** For process entry points: prints the one line and exits 1 when a port cannot be bound. */
export async function assertPortsFreeOrExit(host: string, ports: Record<string, number>): Promise<void> {
  await exitOnPortUnavailable(assertPortsFree(host, ports));
}

/** For process entry points: the start's result, or the one line and exit 1 when it could not bind its port. */
export async function exitOnPortUnavailable<T>(start: Promise<T>): Promise<T> {
  try {
    return await start;
  } catch (error) {
    if (error instanceof PortUnavailableError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
