import { GENERATION_PREFIX } from './cache/cached.ts';
import { requestContext, type Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { BUS_DEFAULTS, type Bus, type Cache, type Db, type Jobs, type JobHandler, type Queryable } from './ports.ts';

/*
 * The adapters as a service sees them: the same ports, measured. Each service wraps the adapters
 * it was given (instrumented(deps, metrics)), so in the standalone process, where services share
 * one cache and one bus, every series still names the service that used it.
 */

/** Memoised label objects: the hot path passes the same object every time instead of building one. */
function labelCache<L>(make: (key: string) => L): (key: string) => L {
  const made = new Map<string, L>();
  return (key) => {
    let labels = made.get(key);
    if (!labels) {
      labels = make(key);
      made.set(key, labels);
    }
    return labels;
  };
}

const WORD = /^[a-z][a-z-]{0,31}$/;

/**
 * The cache a key belongs to: its first two segments when they are words (`messages:recent:<id>`
 * → `messages:recent`, `session:<id>` → `session`). Ids and other values never become a label.
 */
export function cacheNameOf(key: string): string {
  const first = key.indexOf(':');
  const head = first < 0 ? key : key.slice(0, first);
  if (!WORD.test(head)) return 'other';
  if (first < 0) return head;
  const second = key.indexOf(':', first + 1);
  const next = key.slice(first + 1, second < 0 ? undefined : second);
  return second >= 0 && WORD.test(next) ? `${head}:${next}` : head;
}

export function instrumentCache(cache: Cache, metrics: Metrics): Cache {
  const { cacheRequests } = metrics.families;
  const labelsOf = labelCache((name) => ({
    hit: { service: metrics.service, cache: name, result: 'hit' },
    miss: { service: metrics.service, cache: name, result: 'miss' },
  }));
  const count = (key: string, value: unknown): void => {
    // A cached thing's generation stamp is read with its entry: the entry's hit or miss is the one that counts.
    if (key.startsWith(GENERATION_PREFIX)) return;
    const labels = labelsOf(cacheNameOf(key));
    cacheRequests.inc(value === undefined ? labels.miss : labels.hit);
  };
  return {
    ...cache,
    async get<T>(key: string) {
      const value = await cache.get<T>(key);
      count(key, value);
      return value;
    },
    async getMany<T>(keys: readonly string[]) {
      const values = await cache.getMany<T>(keys);
      keys.forEach((key, i) => count(key, values[i]));
      return values;
    },
  };
}

/** The statement's first keyword (`select`, `insert`, ...), or `other`: a bounded label. */
const OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback', 'create', 'alter', 'drop']);
export function operationOf(sql: string): string {
  let start = 0;
  while (start < sql.length && sql.charCodeAt(start) <= 32) start++;
  let end = start;
  for (; end < sql.length && end - start < 10; end++) {
    const lower = sql.charCodeAt(end) | 32;
    if (lower < 97 || lower > 122) break;
  }
  const word = sql.slice(start, end).toLowerCase();
  return OPERATIONS.has(word) ? word : 'other';
}

export function instrumentDb(db: Db, metrics: Metrics): Db {
  const { dbQueryDuration, dbPoolConnections } = metrics.families;
  const labelsOf = labelCache((operation) => ({ service: metrics.service, operation }));
  const measured = (target: Queryable): Queryable['query'] =>
    async function query(sql, params, options) {
      const started = performance.now();
      try {
        return await target.query(sql, params, options);
      } finally {
        dbQueryDuration.observe(labelsOf(operationOf(sql)), (performance.now() - started) / 1000);
      }
    };
  const stats = db.poolStats?.bind(db);
  if (stats) {
    const total = { service: metrics.service, state: 'total' };
    const idle = { service: metrics.service, state: 'idle' };
    const waiting = { service: metrics.service, state: 'waiting' };
    metrics.onScrape('dbPool', () => {
      const now = stats();
      dbPoolConnections.set(total, now.total);
      dbPoolConnections.set(idle, now.idle);
      dbPoolConnections.set(waiting, now.waiting);
    });
  }
  return {
    ...db,
    kind: db.kind,
    query: measured(db),
    transaction: (fn, options) => db.transaction((tx) => fn({ query: measured(tx) }), options),
  };
}

/**
 * Counts what the bus publishes and what each queue's handler does with its events, and runs
 * every handler in the request context of the event (its originating request id, else its own
 * id), so a consumer's log lines, and the events it emits in turn, carry the id of the request
 * that started it all.
 */
export function instrumentBus(bus: Bus, metrics: Metrics, logger: Logger): Bus {
  const { eventsPublished, eventsConsumed, eventsRetried, eventsDeadLettered } = metrics.families;
  const typeLabels = labelCache((type) => ({ service: metrics.service, type }));
  const queueLabels = labelCache((queue) => ({ service: metrics.service, queue }));
  return {
    ...bus,
    async publish(events) {
      await bus.publish(events);
      for (const event of events) eventsPublished.inc(typeLabels(event.type));
    },
    subscribe(options, handler) {
      const labels = queueLabels(options.queue);
      const maxAttempts = Math.max(1, options.maxAttempts ?? BUS_DEFAULTS.maxAttempts);
      return bus.subscribe(options, (event, context) =>
        requestContext.run({ requestId: event.requestId ?? event.id }, async () => {
          try {
            await handler(event, context);
          } catch (error) {
            (context.attempt >= maxAttempts ? eventsDeadLettered : eventsRetried).inc(labels);
            throw error;
          }
          eventsConsumed.inc(labels);
          if (logger.isLevelEnabled('debug')) {
            logger.debug({ queue: options.queue, eventId: event.id, type: event.type, attempt: context.attempt }, 'event handled');
          }
        }),
      );
    },
  };
}

export function instrumentJobs(jobs: Jobs, metrics: Metrics): Jobs {
  const { jobsRun, jobsFailed } = metrics.families;
  const labelsOf = labelCache((job) => ({ service: metrics.service, job }));
  const measured = (name: string, handler: JobHandler): JobHandler => {
    const labels = labelsOf(name);
    return async (data, context) => {
      jobsRun.inc(labels);
      try {
        await handler(data, context);
      } catch (error) {
        jobsFailed.inc(labels);
        throw error;
      }
    };
  };
  return {
    ...jobs,
    work: (handlers, options) => jobs.work(Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, measured(name, handler)])), options),
  };
}

/** The adapters of a service's deps, measured; the rest of deps as given. */
export function instrumented<D extends { db: Db; cache: Cache; bus: Bus; logger: Logger; jobs?: Jobs }>(deps: D, metrics: Metrics): D {
  return {
    ...deps,
    db: instrumentDb(deps.db, metrics),
    cache: instrumentCache(deps.cache, metrics),
    bus: instrumentBus(deps.bus, metrics, deps.logger),
    ...(deps.jobs ? { jobs: instrumentJobs(deps.jobs, metrics) } : {}),
  };
}
