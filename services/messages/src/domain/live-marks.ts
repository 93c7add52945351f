import { every, type Cache, type Every, type Logger } from '@parley/kit';

/** How often the marks that moved are written: what a crash can leave unmarked (and republish). */
export const LIVE_MARK_FLUSH_MS = 250;

const markKey = (conversationId: string): string => `messages:live-mark:${conversationId}`;

/**
 * Per conversation, the highest `seq` whose live frame Redis accepted: what a restart need not
 * publish again (republish-orphaned-live.ts). Kept in memory on the send path (a map write per
 * message, nothing more) and written to the cache every LIVE_MARK_FLUSH_MS in one command for
 * every conversation that moved, so a crash loses at most the last interval's marks: their
 * messages are published again, as before marks existed.
 *
 * A mark can only understate: it is recorded once the publish succeeded, and another instance
 * overwriting it with its own (lower) mark makes a restart republish more, never less. Skipping a
 * message at or below a mark is safe even if that message itself was never published (its
 * process died between commit and publish while another instance sent the next one): every
 * client that got the frame of the mark's seq sees the hole below it and fetches it by `seq`
 * (docs/realtime.md).
 */
export interface LiveMarks {
  /** The frame of this message went out on the live path. */
  published(conversationId: string, seq: number): void;
  /** The stored marks of these conversations; a conversation without one is absent. */
  of(conversationIds: readonly string[]): Promise<Map<string, number>>;
  start(): void;
  /** Writes what is still unwritten and stops the timer. */
  stop(): Promise<void>;
}

export function createLiveMarks(cache: Cache, logger: Logger, ttlSeconds: number): LiveMarks {
  let moved = new Map<string, number>();
  let timer: Every | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (moved.size === 0) return flushing;
    const batch = moved;
    moved = new Map();
    flushing = flushing
      .then(() =>
        cache.setMany(
          [...batch].map(([conversationId, seq]) => [markKey(conversationId), seq] as const),
          ttlSeconds,
        ),
      )
      // Unwritten marks only mean more republishing after a crash: nothing to retry.
      .catch((err: unknown) => logger.debug({ err }, 'live marks not written'));
    return flushing;
  };

  return {
    published(conversationId, seq) {
      if (seq > (moved.get(conversationId) ?? 0)) moved.set(conversationId, seq);
    },
    async of(conversationIds) {
      const unique = [...new Set(conversationIds)];
      const seqs = await cache.getMany<number>(unique.map(markKey));
      const marks = new Map<string, number>();
      unique.forEach((conversationId, i) => {
        const seq = seqs[i];
        if (typeof seq === 'number') marks.set(conversationId, seq);
      });
      return marks;
    },
    start() {
      timer ??= every(LIVE_MARK_FLUSH_MS, flush, { logger, what: 'live marks flush' });
    },
    async stop() {
      await timer?.stop();
      timer = undefined;
      await flush();
    },
  };
}
