import { errorCode, type Db, type Logger, type PeriodicJob } from '@parley/kit';
import { Counter, type Registry } from 'prom-client';
import { mergePendingSearchEntries } from '../db/search.repository.ts';

const INSUFFICIENT_PRIVILEGE = '42501';

export interface SearchIndexMergerOptions {
  db: Db;
  logger: Logger;
  /** Pause between merges; 0 turns the merger off (autovacuum and full lists merge instead). */
  everyMs: number;
  /** Where the merged-pages counter is registered (the service's /metrics). */
  registry: Registry;
}

export const SEARCH_INDEX_MERGE_JOB = 'search.merge_pending';

export interface SearchIndexMerger {
  /** The merges as a periodic job: every `everyMs` across the instances of the service, none at 0. */
  job: PeriodicJob;
  /** One merge now; returns the pending-list pages it merged. */
  mergeNow(): Promise<number>;
}

/**
 * Keeps the text indexes' pending lists short (migration 0006): sends put their index entries in
 * the lists, which is cheap, and every `everyMs` this merges them into the indexes in bulk, so a
 * search, which scans the lists in full, pays for at most about that long's new messages.
 *
 * A periodic job of the service's queue: one merge per interval, whichever instance runs it. A
 * failed merge is logged and the next one tries again. Without the right to merge (a role that
 * does not own the indexes) the job ends its schedule with a warning: autovacuum still merges the
 * lists, and an insert that finds a list full (2 MB) merges it itself, which is slower for that
 * send and for searches, never wrong.
 */
export function createSearchIndexMerger(options: SearchIndexMergerOptions): SearchIndexMerger {
  const { db, everyMs } = options;
  const logger = options.logger.child({ component: 'search-index-merger' });
  const mergedPages = new Counter({
    name: 'messages_search_index_merged_pages_total',
    help: 'Pending-list pages of the message text indexes merged by the service',
    registers: [options.registry],
  });

  const mergeNow = async (): Promise<number> => {
    const pages = await mergePendingSearchEntries(db);
    mergedPages.inc(pages);
    return pages;
  };

  return {
    job: {
      name: SEARCH_INDEX_MERGE_JOB,
      everyMs,
      async run() {
        try {
          await mergeNow();
        } catch (error) {
          if (errorCode(error) !== INSUFFICIENT_PRIVILEGE) {
            logger.warn({ err: error }, 'merging the search indexes failed; will retry');
            return;
          }
          logger.warn({ err: error }, 'not allowed to merge the search indexes (not their owner); leaving it to autovacuum');
          return 'stop';
        }
      },
    },
    mergeNow,
  };
}
