import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Settings every process shares; each service extends this with its own. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  AMQP_URL: optionalUrl(['amqp', 'amqps']),
  /**
   * Where GET /metrics is served (Prometheus text), apart from the API: loopback by default;
   * containers set the pod's address (0.0.0.0) so Prometheus can scrape it. The port is
   * METRICS_PORT, whose default differs per process.
   */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Requests per minute per client IP on each service; auth endpoints have stricter limits of their own. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /**
   * How many instances of this service run. While Redis is unavailable the shared rate limits
   * (sends, logins, registrations) are counted per process against limit / INSTANCE_COUNT.
   */
  INSTANCE_COUNT: z.coerce.number().int().min(1).default(1),
  /** A cache command not answered within this many ms is a miss (Redis slow or away). */
  CACHE_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  /** Deadline of each attempt of a gRPC call to another service (reads are retried twice). */
  GRPC_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /**
   * A PostgreSQL statement not answered within this many ms fails (503) and its connection is
   * dropped: a frozen server answers an error, never a hang. Longer than the longest legitimate
   * statement (searches, the hourly purges); migrations are exempt. Services with a database only.
   */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
});

export const databaseUrl = () => optionalUrl(['postgres', 'postgresql']);

/**
 * Validates the environment against schema. Every bad variable is named in one error,
 * so an operator fixes them all in one go.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(problems);
}

/** For process entry points: prints the problems and exits 1 on bad configuration. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
