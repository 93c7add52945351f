/**
 * The ports every service gets from its wiring. Each has a real adapter (PostgreSQL, Redis,
 * RabbitMQ, BullMQ) and an embedded one (PGlite, in-process) held to the same contract tests
 * in packages/kit/test/contracts.
 */

// ---------- database ----------

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Runs the statement as a named prepared statement: parsed and planned once per connection,
   * then only executed. For hot statements whose text never changes; one name, one text.
   * The embedded database ignores it.
   */
  prepare?: string;
}

/** Something SQL can run on: the database itself or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<Row>>;
}

export interface TransactionOptions {
  /**
   * Lets the transaction's statements run as long as they take: no client-side query timeout
   * (PostgreSQL: DATABASE_QUERY_TIMEOUT_MS). For migrations only, which may build an index for
   * minutes; anything on a request's path keeps the timeout, so a frozen server answers 503.
   */
  untimed?: boolean;
}

export interface Db extends Queryable {
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** True when the database answers; used by /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
  /** Connections of the pool (PGlite: its one connection) and requests waiting for one; read by the metrics. */
  poolStats?(): PoolStats;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Migration {
  /** Sortable, unique id such as `0001_users`. */
  id: string;
  sql: string;
}

// ---------- cache ----------

export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  /** Several keys in one round trip; missing keys come back as undefined. */
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Sets several keys, each with the same TTL, in one round trip (one command on Redis). */
  setMany<T>(entries: readonly (readonly [key: string, value: T])[], ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Deletes every key that starts with prefix. */
  delPrefix(prefix: string): Promise<void>;
  /**
   * Atomically increments a counter; the TTL is set when the counter is created. Returns the new
   * value and seconds left. Throws CacheUnavailableError while the cache's server is unavailable
   * (everything else fails open: a miss, a skipped write).
   */
  incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }>;
  ping(): Promise<boolean>;
  /** True while the cache's server is taken for unavailable (circuit breaker open): /readyz, metrics. */
  degraded(): boolean;
  close(): Promise<void>;
}

// ---------- bus (events) ----------

export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  occurredAt: string;
  producer: string;
  data: T;
  /**
   * The id of the request that led to the event (`x-request-id`), carried through the outbox and
   * the bus so a consumer logs with it: one grep follows a message from its HTTP request to its
   * WebSocket frames.
   */
  requestId?: string;
}

export interface EventHandlerContext {
  /** 1 on the first delivery, then 2, 3, ... on retries. */
  attempt: number;
}

export type EventHandler = (event: EventEnvelope, ctx: EventHandlerContext) => Promise<void>;

export interface SubscribeOptions {
  /** Durable queue name, owned by the consuming service, e.g. `notifications.events`. */
  queue: string;
  /** Routing keys (event types); `*` and `#` wildcards as in an AMQP topic exchange. */
  bindings: readonly string[];
  /**
   * Routing keys an earlier version of the consumer bound and this one no longer wants: removed
   * at subscribe, since a broker keeps a durable queue's bindings after the code that made them.
   */
  retiredBindings?: readonly string[];
  /** Attempts before the event goes to the dead-letter queue. Default 5. */
  maxAttempts?: number;
  /** First retry delay in ms, doubled on every attempt. Default 500. */
  retryBaseMs?: number;
  /** Messages in flight per consumer. Default 32. */
  prefetch?: number;
}

/** What SubscribeOptions default to, in both adapters. */
export const BUS_DEFAULTS = { maxAttempts: 5, retryBaseMs: 500, prefetch: 32 } as const;

export interface Bus {
  /** Publishes with confirmation: resolves only once the broker has taken every event. */
  publish(events: readonly EventEnvelope[]): Promise<void>;
  /** Handler acks by resolving; a throw means retry with back-off, then dead-letter. */
  subscribe(options: SubscribeOptions, handler: EventHandler): Promise<{ close(): Promise<void> }>;
  /** Events that exhausted their attempts, for operators and tests. */
  deadLetters(queue: string): Promise<EventEnvelope[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// ---------- pub/sub ----------

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Returns a function that removes this subscription. */
  subscribe(channel: string, onMessage: (message: string, channel: string) => void): Promise<() => Promise<void>>;
  /**
   * Calls back each time the subscriptions are back after the subscriber connection was lost:
   * whatever was published in between never arrived here, so holders of live state must resync.
   * Returns a function that removes the listener. The embedded adapter never loses its subscriptions.
   */
  onResubscribed(listener: () => void): () => void;
  ping(): Promise<boolean>;
  /** True while publishing or the subscriber connection is down: live delivery is paused. */
  degraded(): boolean;
  close(): Promise<void>;
}

// ---------- jobs ----------

export interface JobOptions {
  /** Same jobId twice while the first is pending: one job. */
  jobId?: string;
  delayMs?: number;
  /** Default 5. */
  attempts?: number;
  /** First retry delay, doubled each attempt. Default 1000. */
  backoffMs?: number;
}

export interface JobContext {
  id: string;
  attempt: number;
}

export type JobHandler = (data: unknown, ctx: JobContext) => Promise<void>;

export interface Jobs {
  add(name: string, data: unknown, options?: JobOptions): Promise<void>;
  /** A job run every everyMs, once across all workers. */
  repeat(name: string, everyMs: number, data?: unknown): Promise<void>;
  /** Removes the repeat of that name, if any, for all workers; a run in progress finishes. */
  unrepeat(name: string): Promise<void>;
  /** Starts processing the named jobs in this process. */
  work(handlers: Record<string, JobHandler>, options?: { concurrency?: number }): Promise<void>;
  /** Resolves when no job is waiting, delayed-and-due or running (tests and shutdown). */
  drain(timeoutMs?: number): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
