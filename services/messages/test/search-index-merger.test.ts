import { createLogger, createMemoryJobs, migrate, newId, startJobs, type Db, type Jobs } from '@parley/kit';
import { adapterKinds, openTestDb } from '@parley/kit/testing';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { messagesMigrations } from '../src/db/migrations.ts';
import { createSearchIndexMerger, type SearchIndexMerger } from '../src/domain/search-index-merger.ts';

const logger = createLogger('messages-test', 'silent');

/** The merger as the service runs it: its periodic job, on in-process jobs of its own. */
const scheduled = async (merger: SearchIndexMerger): Promise<Jobs> => {
  const jobs = createMemoryJobs({ logger });
  await startJobs(jobs, { periodic: [merger.job] });
  return jobs;
};
/** The timers the merges run on (the jobs' repeat), on a clock the test moves. */
const FAKE_TIMERS: Parameters<typeof vi.useFakeTimers>[0] = { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] };

/** The text indexes' pending lists (migration 0006) and their merges, straight against the database. */
describe.each(adapterKinds())('search index merger (%s)', (kind) => {
  let db: Db;
  let conversationId: string;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await migrate(db, messagesMigrations);
    conversationId = newId();
    await db.query(`INSERT INTO conversations (id, type) VALUES ($1, 'group')`, [conversationId]);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  let seq = 0;
  const insert = async (body: string): Promise<void> => {
    seq++;
    await db.query(`INSERT INTO messages (id, conversation_id, seq, sender_id, body, client_message_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
      newId(),
      conversationId,
      seq,
      newId(),
      body,
      `c${seq}`,
    ]);
  };
  /** Full-text and partial-word matches, both through the GIN indexes (no sequential scan allowed). */
  const found = async (word: string): Promise<{ fullText: number; partial: number }> =>
    db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const fullText = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE search_vector @@ plainto_tsquery('english', $1)`, [word]);
      const partial = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE body ILIKE $1`, [`%${word.slice(1, -1)}%`]);
      return { fullText: fullText.rows[0]!.n, partial: partial.rows[0]!.n };
    });
  const mergedPages = async (registry: Registry): Promise<number> =>
    (await registry.getSingleMetric('messages_search_index_merged_pages_total')!.get()).values[0]?.value ?? 0;

  it('keeps new messages in the pending lists, searchable there, until a merge moves them into the indexes', async () => {
    const merger = createSearchIndexMerger({ db, logger, everyMs: 0, registry: new Registry() });
    await merger.mergeNow();
    for (let i = 0; i < 20; i++) await insert(`the walruses gathered on the ice floe ${i}`);
    expect(await found('walrus')).toEqual({ fullText: 20, partial: 20 });
    expect(await merger.mergeNow()).toBeGreaterThan(0);
    expect(await merger.mergeNow()).toBe(0);
    expect(await found('walrus')).toEqual({ fullText: 20, partial: 20 });
  });

  it('merges on its own every everyMs, and stops cleanly', async () => {
    const registry = new Registry();
    const merger = createSearchIndexMerger({ db, logger, everyMs: 20, registry });
    for (let i = 0; i < 5; i++) await insert(`narwhals surfaced near the boat ${i}`);
    const jobs = await scheduled(merger);
    try {
      await vi.waitFor(async () => expect(await mergedPages(registry)).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
      expect(await merger.mergeNow()).toBe(0);
    } finally {
      await jobs.close();
    }
    expect(await found('narwhal')).toEqual({ fullText: 5, partial: 5 });
  });

  it('with 0 it never merges by itself', async () => {
    const registry = new Registry();
    const merger = createSearchIndexMerger({ db, logger, everyMs: 0, registry });
    await insert('a lone seal');
    // The merger's timers on a clock the test moves: a minute passes at once, and nothing was even scheduled.
    vi.useFakeTimers(FAKE_TIMERS);
    let jobs: Jobs | undefined;
    try {
      jobs = await scheduled(merger);
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
    } finally {
      vi.useRealTimers();
    }
    expect(await mergedPages(registry)).toBe(0);
    await jobs?.close();
    expect(await merger.mergeNow()).toBeGreaterThan(0);
  });
});

describe('search index merger without the right to merge', () => {
  // The merger's timers on a clock the test moves (the database is a stand-in, so nothing else
  // waits on a real timer): each check happens at a known number of periods.
  beforeEach(() => {
    vi.useFakeTimers(FAKE_TIMERS);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops after PostgreSQL refuses (42501) instead of retrying every second', async () => {
    const refusal = Object.assign(new Error('must be owner of index messages_search_vector'), { code: '42501' });
    const query = vi.fn().mockRejectedValue(refusal);
    const db = { query } as unknown as Db;
    const merger = createSearchIndexMerger({ db, logger, everyMs: 5, registry: new Registry() });
    const jobs = await scheduled(merger);
    await vi.advanceTimersByTimeAsync(5);
    expect(query).toHaveBeenCalledTimes(1);
    // Two hundred periods later: still the one attempt, and no timer left.
    await vi.advanceTimersByTimeAsync(1000);
    expect(query).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    await jobs.close();
  });

  it('retries after any other failure', async () => {
    const query = vi.fn().mockRejectedValue(new Error('connection terminated'));
    const db = { query } as unknown as Db;
    const merger = createSearchIndexMerger({ db, logger, everyMs: 5, registry: new Registry() });
    const jobs = await scheduled(merger);
    await vi.advanceTimersByTimeAsync(15);
    expect(query.mock.calls.length).toBeGreaterThanOrEqual(3);
    await jobs.close();
  });
});
