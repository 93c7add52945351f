import { baseConfigSchema, databaseUrl, DEFAULT_WS_ALLOWED_ORIGINS, originList, port } from '@parley/kit';
import { z } from 'zod';

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback);

export const notificationsConfigSchema = baseConfigSchema.extend({
  PORT: port(4004),
  /** GET /metrics of this process (docs/operations.md). */
  METRICS_PORT: port(9104),
  /** PostgreSQL for notifications; unset: embedded PGlite, its schema of DATA_DIR/pg under npm start, DATA_DIR/notifications/pg when run alone. */
  NOTIFICATIONS_DATABASE_URL: databaseUrl(),
  /** Accounts' public base URL: its JWKS verifies access tokens (distributed mode). */
  ACCOUNTS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4001'),
  ACCOUNTS_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:4101'),
  GROUPS_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:4102'),

  /**
   * Browser origins allowed to open /ws. Clients that send no Origin (native apps, servers,
   * CLIs) are always let in: the token in the first frame is what authenticates a socket.
   * A page served by the same host as the socket (same-origin) is always allowed too.
   */
  WS_ALLOWED_ORIGINS: originList(DEFAULT_WS_ALLOWED_ORIGINS),
  /** Largest client frame; a bigger one closes the socket with 1009. */
  WS_MAX_FRAME_BYTES: int(16 * 1024, 256, 1024 * 1024),
  /** Sustained client frames per second per socket; beyond the burst the socket is closed with 1008. */
  WS_MAX_FRAMES_PER_SECOND: int(20, 1),
  WS_FRAME_BURST: int(40, 1),
  /** Bytes queued for a socket that does not read; past this the socket is dropped (1013). */
  WS_MAX_BUFFERED_BYTES: int(1024 * 1024, 1024),
  /** Time a new socket has to send its auth frame. */
  WS_AUTH_TIMEOUT_MS: int(10_000, 50, 120_000),
  /** Server ping interval; a socket that has not answered the previous ping is terminated. */
  WS_HEARTBEAT_SECONDS: int(30, 1, 3600),
  /**
   * Sessions re-checked per heartbeat (a backstop for a lost revocation event), at most this many
   * distinct tokens per instance: the others wait their turn in the next beats. When the session
   * cache was lost (a Redis outage, a new cache epoch) each check is a CheckSession call to
   * accounts; without a cap every socket's would land in the same instant.
   */
  WS_SESSION_RECHECKS_PER_BEAT: int(200, 1, 1_000_000),
  /**
   * After the live path was interrupted (Redis), the `resync` frames of this instance's sockets
   * are spread over this many ms, so their gap fetches do not all hit the API in the same instant.
   */
  WS_RESYNC_SPREAD_MS: int(3000, 0, 60_000),

  /** After a user's last socket closes, how long before others see them offline. */
  PRESENCE_GRACE_SECONDS: int(30, 1, 3600),
  /**
   * How often each instance checks the presence record against the connections: users whose
   * instance crashed or stopped are made offline (after the grace period), users who connected
   * while Redis was away are announced.
   */
  PRESENCE_SWEEP_SECONDS: int(30, 1, 3600),
  /** Groups larger than this do not get presence changes of their members (too costly). */
  PRESENCE_MAX_GROUP_MEMBERS: int(1000, 0),
  /** Upper bound for cached group member lists; group.* events invalidate them at once. */
  GROUP_MEMBERS_CACHE_SECONDS: int(300, 1),

  /** Stored notifications older than this are deleted, read or not (hourly, by every instance). */
  NOTIFICATION_RETENTION_DAYS: int(90, 1, 3650),

  /** Contact of the operator for push services (RFC 8292): mailto: or https: URL. */
  VAPID_SUBJECT: z
    .string()
    .default('mailto:admin@parley.invalid')
    .refine((value) => /^(mailto:.+|https:\/\/.+)$/.test(value), { message: 'must be a mailto: or https:// URL' }),
  /**
   * Push endpoints are https:// URLs on public hosts. Origins listed here are accepted besides
   * (plain http, loopback or private addresses), e.g. a push service inside the network, or a
   * test double on http://127.0.0.1:<port>.
   */
  PUSH_ENDPOINT_ALLOW_LIST: originList(''),
  /** Deadline of one request to a push service. */
  PUSH_TIMEOUT_MS: int(5000, 100, 60_000),
  /** How long a push service keeps a push for an offline device. */
  PUSH_TTL_SECONDS: int(86_400, 0, 2_419_200),
});

export type NotificationsConfig = z.output<typeof notificationsConfigSchema>;
