import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { DestinationStream, Logger };

/** Carries the request (correlation) id through every await of a request or job. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

/**
 * JSON logs with a `service` field on every line and the current request id when there is one.
 * On stdout unless given another destination (tests read their lines from one).
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  const { chindingsSym } = pino.symbols;
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin(_object, _level, logger) {
      const requestId = currentRequestId();
      // A request's own logger (Fastify's request.log) already carries the id among its bindings.
      if (!requestId || (logger as unknown as Record<symbol, string>)[chindingsSym]?.includes('"requestId"')) return {};
      return { requestId };
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
