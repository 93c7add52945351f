import { baseConfigSchema, databaseUrl, port } from '@parley/kit';
import { z } from 'zod';

const grpcAddress = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^[\w.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port')
    .default(fallback);

export const messagesConfigSchema = baseConfigSchema.extend({
  PORT: port(4003),
  /** Reserved for a future messages.v1 gRPC API; nothing listens on it yet. */
  GRPC_PORT: port(4103),
  /** GET /metrics of this process (docs/operations.md). */
  METRICS_PORT: port(9103),
  /** PostgreSQL for messages; unset: embedded PGlite, its schema of DATA_DIR/pg under npm start, DATA_DIR/messages/pg when run alone. */
  MESSAGES_DATABASE_URL: databaseUrl(),
  /** Where accounts serves its JWKS (distributed mode: main.ts verifies tokens against it). */
  ACCOUNTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4001'),
  ACCOUNTS_GRPC_ADDRESS: grpcAddress('127.0.0.1:4101'),
  GROUPS_GRPC_ADDRESS: grpcAddress('127.0.0.1:4102'),
  /** Uploaded files on local disk; unset: DATA_DIR/messages/files. */
  FILES_DIR: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  /** Distinct emoji one message may carry; adding one more answers 409. */
  MESSAGE_MAX_REACTIONS: z.coerce.number().int().min(1).max(1000).default(50),
  /** Messages one user may send per minute, across all instances; beyond: 429 with Retry-After. */
  SEND_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * Messages a search reads newest first before anything else (domain/search-messages.ts): a word in
   * 1 of 16 messages fills a page of 50 there; every other search pays for reading them too.
   */
  SEARCH_RECENT_WINDOW: z.coerce.number().int().min(1).max(100_000).default(800),
  /** A search scope of at most this many conversations is walked conversation by conversation (search.repository.ts). */
  SEARCH_SMALL_SCOPE: z.coerce.number().int().min(0).max(100_000).default(100),
  /**
   * Pause between merges of the text indexes' pending lists (domain/search-index-merger.ts): every
   * search scans what is pending, so this bounds how many new messages it scans. 0: no merges by
   * the service (autovacuum and full lists merge them).
   */
  SEARCH_INDEX_MERGE_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /**
   * How long the outbox relay lets events gather before a pass (kit bus/outbox.ts lingerMs): one
   * transaction and one round of broker confirms per batch, not per event. Edits, deletions,
   * reactions and read marks reach sockets through the broker, so they wait this long.
   */
  OUTBOX_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /**
   * The same after a plain send (deferrableLingerMs). A new message reaches sockets by the live
   * path; its event only feeds stored notifications and push, which can wait a little longer, so
   * at light load as under load a pass carries several messages instead of one.
   */
  OUTBOX_NEW_MESSAGE_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(100),
});

export type MessagesConfig = z.output<typeof messagesConfigSchema>;
