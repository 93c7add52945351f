import { baseConfigSchema, databaseUrl, port } from '@parley/kit';
import { z } from 'zod';

export const accountsConfigSchema = baseConfigSchema.extend({
  PORT: port(4001),
  GRPC_PORT: port(4101),
  /** GET /metrics of the accounts API process (docs/operations.md). */
  METRICS_PORT: port(9101),
  /** GET /metrics of the accounts worker process (worker-main.ts), which reads this same configuration. */
  WORKER_METRICS_PORT: port(9105),
  /** PostgreSQL for accounts; unset: embedded PGlite, its schema of DATA_DIR/pg under npm start, DATA_DIR/accounts/pg when run alone. */
  ACCOUNTS_DATABASE_URL: databaseUrl(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  AVATAR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /** Failed logins for one account from one address within LOGIN_WINDOW_SECONDS before that address is slowed down. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Failed logins from one address (any accounts) within LOGIN_WINDOW_SECONDS before it is slowed down. */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  /** The first wait after the free failures; it doubles with each further failure. */
  LOGIN_DELAY_BASE_SECONDS: z.coerce.number().int().min(1).default(1),
  /** The longest wait between two attempts of a slowed-down address. */
  LOGIN_DELAY_MAX_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Login and register attempts per client IP within LOGIN_WINDOW_SECONDS. */
  AUTH_MAX_PER_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Users seen less recently than this are marked away by the idle job. */
  IDLE_AWAY_SECONDS: z.coerce.number().int().min(60).default(600),
});

export type AccountsConfig = z.output<typeof accountsConfigSchema>;
