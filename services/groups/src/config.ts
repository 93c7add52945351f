import { baseConfigSchema, databaseUrl, port } from '@parley/kit';
import { z } from 'zod';

export const groupsConfigSchema = baseConfigSchema.extend({
  PORT: port(4002),
  GRPC_PORT: port(4102),
  /** GET /metrics of this process (docs/operations.md). */
  METRICS_PORT: port(9102),
  /** PostgreSQL for groups; unset: embedded PGlite, its schema of DATA_DIR/pg under npm start, DATA_DIR/groups/pg when run alone. */
  GROUPS_DATABASE_URL: databaseUrl(),
  /** Where accounts serves /.well-known/jwks.json (distributed mode: main.ts verifies tokens against it). */
  ACCOUNTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4001'),
  /** accounts.v1.Users: user look-ups when adding members, and the session check's fallback. */
  ACCOUNTS_GRPC_ADDRESS: z.string().trim().min(1).default('127.0.0.1:4101'),
  /** Most members a group may have, its owner included; adding past it answers 409. */
  GROUP_MEMBER_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
});

export type GroupsConfig = z.output<typeof groupsConfigSchema>;
