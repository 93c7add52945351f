import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/*
 * Every metric Parley exports, in one place (docs/operations.md lists them with their meaning).
 * A process has one registry; each family carries a `service` label, so the standalone process
 * (every service in one) serves one scrape with the series of all its services. Labels are
 * bounded: route patterns, method names, cache and queue names, event and job names, close
 * reasons; never ids, users or raw paths.
 */

/** Request latencies: 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Statements are mostly well under a millisecond on the hot path. */
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * Values read when Prometheus scrapes rather than counted as they happen: gauges (sockets open,
 * pool use, outbox backlog) and the per-frame WebSocket counters, which the hot path bumps as
 * plain numbers instead of paying a labelled inc() per frame.
 */
type ScrapeReader = () => void | Promise<void>;

function createFamilies(registry: Registry) {
  const registers = [registry];
  const readers = new Map<string, Set<ScrapeReader>>();
  /** collect() of a family read at scrape: starts from nothing, then every registered reader sets its series. */
  const readAtScrape = (name: string) => {
    const set = new Set<ScrapeReader>();
    readers.set(name, set);
    return async function collect(this: { reset(): void }) {
      this.reset();
      await Promise.all([...set].map(async (read) => read()));
    };
  };

  const families = {
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status',
      labelNames: ['service', 'method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    grpcServerDuration: new Histogram({
      name: 'parley_grpc_server_duration_seconds',
      help: 'gRPC calls served, by method and status code name',
      labelNames: ['service', 'method', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    grpcClientDuration: new Histogram({
      name: 'parley_grpc_client_duration_seconds',
      help: 'gRPC calls made (retries included), by method and final status code name',
      labelNames: ['service', 'method', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    cacheRequests: new Counter({
      name: 'parley_cache_requests_total',
      help: 'Cache look-ups by cache (the key prefix) and result (hit or miss)',
      labelNames: ['service', 'cache', 'result'] as const,
      registers,
    }),
    outboxPending: new Gauge({
      name: 'parley_outbox_pending_events',
      help: 'Events committed to the outbox and not yet confirmed by the broker (counted up to 100,000)',
      labelNames: ['service'] as const,
      registers,
      collect: readAtScrape('outbox'),
    }),
    outboxOldestAge: new Gauge({
      name: 'parley_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest unpublished outbox event; 0 when none is pending',
      labelNames: ['service'] as const,
      registers,
      collect: readAtScrape('outboxAge'),
    }),
    eventsPublished: new Counter({
      name: 'parley_events_published_total',
      help: 'Events the broker confirmed, by event type',
      labelNames: ['service', 'type'] as const,
      registers,
    }),
    eventsConsumed: new Counter({
      name: 'parley_events_consumed_total',
      help: 'Events handled successfully, by queue',
      labelNames: ['service', 'queue'] as const,
      registers,
    }),
    eventsRetried: new Counter({
      name: 'parley_events_retried_total',
      help: 'Event deliveries that failed and were scheduled again, by queue',
      labelNames: ['service', 'queue'] as const,
      registers,
    }),
    eventsDeadLettered: new Counter({
      name: 'parley_events_dead_lettered_total',
      help: 'Events that failed every attempt and went to the dead-letter queue, by queue',
      labelNames: ['service', 'queue'] as const,
      registers,
    }),
    jobsRun: new Counter({
      name: 'parley_jobs_run_total',
      help: 'Job runs (every attempt), by job name',
      labelNames: ['service', 'job'] as const,
      registers,
    }),
    jobsFailed: new Counter({
      name: 'parley_jobs_failed_total',
      help: 'Job runs that threw (retried or not), by job name',
      labelNames: ['service', 'job'] as const,
      registers,
    }),
    wsSocketsOpen: new Gauge({
      name: 'parley_ws_sockets_open',
      help: 'WebSocket connections open on this instance (authenticated or not)',
      labelNames: ['service'] as const,
      registers,
      collect: readAtScrape('wsSockets'),
    }),
    wsFramesReceived: new Counter({
      name: 'parley_ws_frames_received_total',
      help: 'WebSocket frames received from clients',
      labelNames: ['service'] as const,
      registers,
      collect: readAtScrape('wsFramesIn'),
    }),
    wsFramesSent: new Counter({
      name: 'parley_ws_frames_sent_total',
      help: 'WebSocket frames written to clients',
      labelNames: ['service'] as const,
      registers,
      collect: readAtScrape('wsFramesOut'),
    }),
    wsDrops: new Counter({
      name: 'parley_ws_drops_total',
      help: 'WebSocket connections closed by the server, by reason',
      labelNames: ['service', 'reason'] as const,
      registers,
    }),
    wsDeliveryLatency: new Histogram({
      name: 'parley_ws_delivery_latency_seconds',
      help: "From an event's commit (its occurredAt, stamped in the committing transaction) to its frame written to the user's sockets",
      labelNames: ['service'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    dbPoolConnections: new Gauge({
      name: 'parley_db_pool_connections',
      help: 'Database pool connections by state: total, idle, and requests waiting for one',
      labelNames: ['service', 'state'] as const,
      registers,
      collect: readAtScrape('dbPool'),
    }),
    degraded: new Gauge({
      name: 'parley_degraded',
      help: '1 while the service runs without this dependency (degraded mode), else 0',
      labelNames: ['service', 'dependency'] as const,
      registers,
      collect: readAtScrape('degraded'),
    }),
    dbQueryDuration: new Histogram({
      name: 'parley_db_query_duration_seconds',
      help: "Database statement duration by operation (the statement's first keyword)",
      labelNames: ['service', 'operation'] as const,
      buckets: QUERY_BUCKETS,
      registers,
    }),
  };

  /** Adds a reader to a family read at scrape; returns the function that removes it. */
  const onScrape = (name: ScrapedFamily, read: ScrapeReader): (() => void) => {
    const set = readers.get(name);
    if (!set) throw new Error(`metrics: ${name} is not read at scrape`);
    set.add(read);
    return () => set.delete(read);
  };
  return { families, onScrape };
}

export type MetricFamilies = ReturnType<typeof createFamilies>['families'];
export type ScrapedFamily = 'outbox' | 'outboxAge' | 'wsSockets' | 'wsFramesIn' | 'wsFramesOut' | 'dbPool' | 'degraded';

const familiesOf = new WeakMap<Registry, ReturnType<typeof createFamilies>>();

/**
 * A process's registry: Node's process metrics (memory, CPU, event loop lag, GC), labelled with
 * the process's name (`service`: the service, or `standalone`), and every Parley family.
 */
export function createMetricsRegistry(processName: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, labels: { service: processName } });
  familiesOf.set(registry, createFamilies(registry));
  return registry;
}

/** What a service records with: the families of its process's registry, and its own name for their `service` label. */
export interface Metrics {
  readonly service: string;
  readonly registry: Registry;
  readonly families: MetricFamilies;
  /** Registers a function that sets a scrape-time family's series; returns the function that unregisters it. */
  onScrape(family: ScrapedFamily, read: ScrapeReader): () => void;
}

/**
 * The metrics of one service. Alone in its process (distributed mode, tests) it gets a registry
 * of its own; the standalone launcher passes every service the one registry of the process.
 */
export function createMetrics(service: string, registry: Registry = createMetricsRegistry(service)): Metrics {
  const own = familiesOf.get(registry);
  if (!own) throw new Error('metrics: the registry was not made by createMetricsRegistry()');
  return { service, registry, families: own.families, onScrape: own.onScrape };
}
