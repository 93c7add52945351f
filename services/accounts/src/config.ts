import { baseConfigSchema, databaseUrl, port } from '@parley/kit';
import { z } from 'zod';

export const accountsConfigSchema = baseConfigSchema.extend({
  PORT: port(4001),
  GRPC_PORT: port(4101),
  /** GET /metrics of the accounts API process (docs/operations.md). */
  METRICS_PORT: port(9101),
  /** GET /metrics of the accounts worker process (worker-main.ts), which reads this same configuration. */
  WORKER_METRICS_PORT: port(9105),
  /** PostgreSQL for accounts; unset: embedded PGlite under DATA_DIR/accounts. */
  ACCOUNTS_DATABASE_URL: databaseUrl(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  AVATAR_MAX_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /** Failed logins for one account within LOGIN_WINDOW_SECONDS before it answers 429. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Login and register attempts per client IP within LOGIN_WINDOW_SECONDS. */
  AUTH_MAX_PER_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Users seen less recently than this are marked away by the idle job. */
  IDLE_AWAY_SECONDS: z.coerce.number().int().min(60).default(600),
});

export type AccountsConfig = z.output<typeof accountsConfigSchema>;
