import { firstIdAt, newId } from '../ids.ts';
import { currentRequestId, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Bus, Db, EventEnvelope, Migration, Queryable } from '../ports.ts';

/**
 * Transactional outbox: a service writes its state change and its events in one transaction
 * (enqueueEvents), and a relay publishes them afterwards with broker confirms. The broker being
 * down delays events; it never loses them, and a rolled-back change never emits its events.
 */

export const outboxMigration: Migration = {
  id: '0000_outbox',
  sql: `
CREATE TABLE IF NOT EXISTS outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  occurred_at timestamptz NOT NULL,
  producer text NOT NULL,
  data jsonb NOT NULL,
  published_at timestamptz NULL
);
-- The relay only ever looks for unpublished rows; keep that index small.
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
`,
};

/**
 * enqueue_event(): one outbox row written from SQL, for a service whose own SQL function writes
 * events in the statement that changes its state (messages' send_message(): one round trip per
 * send). The same row enqueueEvents writes, so the outbox's layout lives in this file alone;
 * pass the data as outboxData(event) so the request id rides along. PL/pgSQL, so its INSERT is
 * planned once per connection, like the function calling it.
 */
export const enqueueEventMigration: Migration = {
  id: '0000_outbox_enqueue',
  sql: `
CREATE OR REPLACE FUNCTION enqueue_event(p_id uuid, p_type text, p_occurred_at timestamptz, p_producer text, p_data jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (id, type, occurred_at, producer, data) VALUES (p_id, p_type, p_occurred_at, p_producer, p_data);
END
$$;
`,
};

/** An envelope for a new event, stamped now with a time-ordered id and the current request id. */
export function makeEvent<T>(type: string, data: T, producer: string): EventEnvelope<T> {
  const requestId = currentRequestId();
  const event: EventEnvelope<T> = { id: newId(), type, occurredAt: new Date().toISOString(), producer, data };
  if (requestId) event.requestId = requestId;
  return event;
}

/**
 * Where an event's request id rides in its outbox row: a reserved key of the stored data, which
 * the relay moves back into the envelope. No column of its own, so services that write their
 * outbox rows from SQL (messages' send_message()) carry it by storing outboxData(event).
 */
const REQUEST_ID_KEY = '$requestId';

/** The data to store in an event's outbox row: its data, with the request id when it has one. */
export function outboxData(event: Pick<EventEnvelope, 'data' | 'requestId'>): unknown {
  const { data, requestId } = event;
  if (!requestId || typeof data !== 'object' || data === null || Array.isArray(data)) return data ?? null;
  return { ...data, [REQUEST_ID_KEY]: requestId };
}

/** The envelope of an outbox row: the request id taken out of the stored data. */
function envelopeOf(row: OutboxRow): EventEnvelope {
  const event: EventEnvelope = {
    id: row.id,
    type: row.type,
    occurredAt: new Date(row.occurred_at).toISOString(),
    producer: row.producer,
    data: row.data,
  };
  if (typeof row.data === 'object' && row.data !== null && REQUEST_ID_KEY in row.data) {
    const { [REQUEST_ID_KEY]: requestId, ...data } = row.data as Record<string, unknown>;
    event.data = data;
    if (typeof requestId === 'string') event.requestId = requestId;
  }
  return event;
}

/** Rows per INSERT, well below PostgreSQL's 65535 parameters. */
const INSERT_CHUNK = 1000;

/** Stores events in the caller's transaction; they are published only if it commits. */
export async function enqueueEvents(tx: Queryable, events: readonly EventEnvelope[]): Promise<void> {
  for (let start = 0; start < events.length; start += INSERT_CHUNK) {
    const chunk = events.slice(start, start + INSERT_CHUNK);
    const params: unknown[] = [];
    const rows = chunk.map((event) => {
      const at = params.length;
      // data goes in as JSON text: node-postgres would turn a JS array into a PostgreSQL array,
      // and PGlite and pg would disagree on a bare string.
      params.push(event.id, event.type, event.occurredAt, event.producer, JSON.stringify(outboxData(event)));
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::text::jsonb)`;
    });
    await tx.query(`INSERT INTO outbox (id, type, occurred_at, producer, data) VALUES ${rows.join(', ')}`, params);
  }
}

export interface OutboxRelayOptions {
  db: Db;
  bus: Bus;
  logger: Logger;
  /** Events per publish and per transaction. Default 100. */
  batchSize?: number;
  /** Pause between passes when idle, and the first back-off step after a failure. Default 1000. */
  pollMs?: number;
  /** Cap of the back-off after repeated failures. Default 30000. */
  maxBackoffMs?: number;
  /**
   * How long a pass waits after a notify() for more events to go with it. Default 0 (at once).
   * A service whose events no client waits for (the live path delivers new messages) trades a
   * few milliseconds of delay for fewer, larger batches: one transaction and one round of
   * confirms for many events.
   */
  lingerMs?: number;
  /**
   * The linger after a notify({ deferrable: true }): events that reach clients another way (a
   * new message goes to sockets by the live path), whose consumers here (stored notifications,
   * push) no one watches for to the millisecond. A longer wait makes larger batches at light
   * load too, where each pass would otherwise carry one event. Default lingerMs. An urgent
   * notify() while a deferrable pass waits brings it forward.
   */
  deferrableLingerMs?: number;
  /** Where the backlog (pending events, age of the oldest) is reported, read at scrape time. */
  metrics?: Metrics;
}

export interface NotifyOptions {
  /** The events just committed reach clients another way: the pass may wait deferrableLingerMs. */
  deferrable?: boolean;
}

export interface OutboxRelay {
  /** Starts polling (and reacting to notify()). */
  start(): void;
  /** Stops polling; resolves when the pass in progress, if any, is over. */
  stop(): Promise<void>;
  /** Asks for a pass (after the linger); services call it right after committing events. */
  notify(options?: NotifyOptions): void;
  /** Publishes everything pending now; returns how many events this relay published. */
  flush(): Promise<number>;
}

/** Published events are kept this long (for inspection), then deleted by the hourly clean-up job (clean-up.ts). */
export const OUTBOX_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Rows per DELETE of the clean-up: each is a short transaction, whatever the backlog. */
const PURGE_BATCH = 10_000;

/**
 * Deletes the published events made before `before`, oldest first, in batches of 10,000.
 * Event ids are UUIDv7 (makeEvent), so "made before" is a range of the primary key: no index on
 * published_at, and no batch reads the younger rows. Unpublished rows stay, however old.
 * Returns how many rows went.
 */
export async function purgePublishedEvents(db: Queryable, before: Date): Promise<number> {
  const below = firstIdAt(before);
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM outbox WHERE id = ANY (ARRAY(
         SELECT id FROM outbox WHERE id < $1 AND published_at IS NOT NULL ORDER BY id LIMIT ${PURGE_BATCH}))`,
      [below],
    );
    total += rowCount;
    if (rowCount < PURGE_BATCH) return total;
  }
}

interface OutboxRow {
  id: string;
  type: string;
  occurred_at: Date | string;
  producer: string;
  data: unknown;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, bus } = options;
  const batchSize = options.batchSize ?? 100;
  const pollMs = options.pollMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const lingerMs = options.lingerMs ?? 0;
  const deferrableLingerMs = options.deferrableLingerMs ?? lingerMs;
  const logger = options.logger.child({ component: 'outbox-relay' });

  let started = false;
  let timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (Date.now() scale); meaningful while timer is set. */
  let timerDueAt = 0;
  let failures = 0;
  /** When the last failed pass ended: notify() during a back-off waits at least pollMs from it. */
  let lastFailureAt = 0;
  /** Passes of this relay run one after another, whether from the loop or from flush(). */
  let chain: Promise<unknown> = Promise.resolve();
  let looping: Promise<void> | undefined;
  /** Set when a pass was asked for while one ran: the shortest linger asked for; the next pass waits that long. */
  let wantedLingerMs: number | undefined;
  const want = (linger: number): void => {
    wantedLingerMs = Math.min(wantedLingerMs ?? linger, linger);
  };

  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = chain.then(fn);
    chain = result.catch(() => undefined);
    return result;
  };

  /** One batch, oldest first, in one transaction. Returns how many events went out. */
  const publishBatch = (): Promise<number> =>
    db.transaction(async (tx) => {
      // SKIP LOCKED: a second relay (another instance of the service) takes the next rows
      // instead of waiting for, and then re-publishing, the ones this one holds.
      // Neither statement of a batch is a named prepared statement: a plan kept for the life of a
      // connection would be the one made when the outbox was empty (a sequential scan), and the
      // outbox grows by thousands of rows a second under load. Planned afresh, each pass sees the
      // table as it is and takes the indexes; planning once per batch costs next to nothing.
      const { rows } = await tx.query<OutboxRow>(
        `SELECT id, type, occurred_at, producer, data FROM outbox
          WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const events = rows.map(envelopeOf);
      // A throw here rolls back: the rows stay unpublished and are retried. If the broker took
      // some of them before failing they go out again; consumers are idempotent by event id.
      await bus.publish(events);
      await tx.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])', [rows.map((row) => row.id)]);
      return rows.length;
    });

  /** Batches until nothing is left (or a batch came back short). Throws on the first failure. */
  const drain = (): Promise<number> =>
    exclusive(async () => {
      let total = 0;
      for (;;) {
        const count = await publishBatch();
        total += count;
        if (count < batchSize) break;
      }
      return total;
    });

  const schedule = (delayMs: number): void => {
    clearTimeout(timer);
    timer = undefined;
    if (!started) return;
    timerDueAt = Date.now() + delayMs;
    timer = setTimeout(tick, delayMs);
  };

  const tick = (): void => {
    timer = undefined;
    if (looping) {
      want(lingerMs);
      return;
    }
    wantedLingerMs = undefined;
    looping = drain()
      .then((count) => {
        if (failures > 0) logger.info({ published: count, failures }, 'outbox relay recovered');
        failures = 0;
        schedule(wantedLingerMs ?? pollMs);
      })
      .catch((err: unknown) => {
        failures++;
        lastFailureAt = Date.now();
        const delay = Math.min(maxBackoffMs, pollMs * 2 ** (failures - 1));
        logger.warn({ err, failures, retryInMs: delay }, 'outbox publish failed; will retry');
        schedule(delay);
      })
      .finally(() => {
        looping = undefined;
      });
  };

  const unregister = options.metrics ? reportBacklog(db, options.metrics) : undefined;

  return {
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      unregister?.();
      started = false;
      clearTimeout(timer);
      timer = undefined;
      await looping;
      await chain;
    },
    notify(notified) {
      if (!started) return;
      const linger = notified?.deferrable ? deferrableLingerMs : lingerMs;
      if (looping) {
        want(linger);
        return;
      }
      if (failures === 0) {
        // A pass already due within the linger takes these events too.
        if (timer !== undefined && timerDueAt <= Date.now() + linger) return;
        schedule(linger);
        return;
      }
      // Backing off from a failure: new events cut the wait short (the broker may be back long
      // before a 30 s back-off ends), but no sooner than pollMs after the last failed attempt,
      // so a burst of commits never becomes a burst of attempts against a broker that is down.
      const delay = Math.max(0, lastFailureAt + pollMs - Date.now());
      if (timer === undefined || Date.now() + delay < timerDueAt) schedule(delay);
    },
    flush: drain,
  };
}

/** Counting stops here: past it the number says "a lot", and a scrape must stay cheap. */
const BACKLOG_COUNT_CAP = 100_000;

/**
 * Reports the outbox backlog when Prometheus scrapes: how many events wait (up to the cap) and
 * how old the oldest is. Both read the partial index of unpublished rows; the two gauges of one
 * scrape share one look-up. A database that does not answer within 2 s leaves the series out.
 */
function reportBacklog(db: Db, metrics: Metrics): () => void {
  const { outboxPending, outboxOldestAge } = metrics.families;
  const labels = { service: metrics.service };
  // A scrape collects every family at once: the second gauge joins the look-up the first started.
  let reading: Promise<{ pending: number; ageSeconds: number } | undefined> | undefined;
  const backlog = () =>
    (reading ??= readBacklog(db).finally(() => {
      reading = undefined;
    }));
  const removers = [
    metrics.onScrape('outbox', async () => {
      const now = await backlog();
      if (now) outboxPending.set(labels, now.pending);
    }),
    metrics.onScrape('outboxAge', async () => {
      const now = await backlog();
      if (now) outboxOldestAge.set(labels, now.ageSeconds);
    }),
  ];
  return () => removers.forEach((remove) => remove());
}

async function readBacklog(db: Db): Promise<{ pending: number; ageSeconds: number } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), 2000);
  });
  const read = (async () => {
    const count = await db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT ${BACKLOG_COUNT_CAP}) AS waiting`,
    );
    const oldest = await db.query<{ occurred_at: Date | string }>('SELECT occurred_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1');
    const occurredAt = oldest.rows[0]?.occurred_at;
    const ageSeconds = occurredAt === undefined ? 0 : Math.max(0, (Date.now() - new Date(occurredAt).getTime()) / 1000);
    return { pending: count.rows[0]?.pending ?? 0, ageSeconds };
  })().catch(() => undefined);
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
