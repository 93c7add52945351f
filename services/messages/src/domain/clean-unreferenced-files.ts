import { deleteUnreferencedFiles } from '../db/file.repository.ts';
import type { MessagesContext } from './context.ts';

/** The job's name (core's app.ts repeats it hourly and works it). */
export const CLEAN_FILES_JOB = 'messages.clean-unreferenced-files';

/** Uploads not attached to any message by then are removed. */
export const UNREFERENCED_FILE_TTL_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;
/** One run removes at most this many; the next run continues. */
const MAX_PER_RUN = 10_000;

/**
 * Removes uploads older than a day that no message references: the rows first (in one
 * statement that re-checks "unreferenced", skipping files being attached right now), then their
 * blobs and thumbnails. A blob whose removal fails is logged; its row is gone, so nothing can
 * serve it any more.
 */
export async function cleanUnreferencedFiles(
  ctx: Pick<MessagesContext, 'db' | 'storage' | 'logger'>,
  options: { now?: Date; olderThanMs?: number } = {},
): Promise<{ deleted: number }> {
  const before = new Date((options.now ?? new Date()).getTime() - (options.olderThanMs ?? UNREFERENCED_FILE_TTL_MS));
  let deleted = 0;
  while (deleted < MAX_PER_RUN) {
    const files = await deleteUnreferencedFiles(ctx.db, before, BATCH);
    for (const file of files) {
      const keys = [file.storage_key, ...(file.thumbnail_key ? [file.thumbnail_key] : [])];
      for (const key of keys) {
        await ctx.storage.delete(key).catch((error: unknown) => ctx.logger.warn({ err: error, key }, 'could not remove an unreferenced blob'));
      }
    }
    deleted += files.length;
    if (files.length < BATCH) break;
  }
  if (deleted > 0) ctx.logger.info({ deleted }, 'removed unreferenced uploads');
  return { deleted };
}
