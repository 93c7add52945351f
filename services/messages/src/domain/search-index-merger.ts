import { errorCode, type Db, type Logger } from '@parley/kit';
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

export interface SearchIndexMerger {
  start(): void;
  /** Stops the loop; resolves when a merge in progress, if any, is over. */
  stop(): Promise<void>;
  /** One merge now; returns the pending-list pages it merged. */
  mergeNow(): Promise<number>;
}

/**
 * Keeps the text indexes' pending lists short (migration 0006): sends put their index entries in
 * the lists, which is cheap, and every `everyMs` this merges them into the indexes in bulk, so a
 * search, which scans the lists in full, pays for at most about that long's new messages.
 *
 * Each instance of the service runs one; PostgreSQL lets one merge of an index run at a time and
 * the others then find little or nothing left. A failed merge is logged and the next one tries
 * again. Without the right to merge (a role that does not own the indexes) the loop stops with a
 * warning: autovacuum still merges the lists, and an insert that finds a list full (2 MB) merges
 * it itself, which is slower for that send and for searches, never wrong.
 */
export function createSearchIndexMerger(options: SearchIndexMergerOptions): SearchIndexMerger {
  const { db, everyMs } = options;
  const logger = options.logger.child({ component: 'search-index-merger' });
  const mergedPages = new Counter({
    name: 'messages_search_index_merged_pages_total',
    help: 'Pending-list pages of the message text indexes merged by the service',
    registers: [options.registry],
  });

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<unknown> | undefined;

  const mergeNow = async (): Promise<number> => {
    const pages = await mergePendingSearchEntries(db);
    mergedPages.inc(pages);
    return pages;
  };

  const tick = (): void => {
    pass = mergeNow()
      .catch((error: unknown) => {
        if (errorCode(error) !== INSUFFICIENT_PRIVILEGE) {
          logger.warn({ err: error }, 'merging the search indexes failed; will retry');
          return;
        }
        running = false;
        logger.warn({ err: error }, 'not allowed to merge the search indexes (not their owner); leaving it to autovacuum');
      })
      .finally(() => {
        pass = undefined;
        schedule();
      });
  };

  const schedule = (): void => {
    if (!running) return;
    timer = setTimeout(tick, everyMs);
    timer.unref();
  };

  return {
    start() {
      if (running || everyMs <= 0) return;
      running = true;
      schedule();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await pass;
    },
    mergeNow,
  };
}
