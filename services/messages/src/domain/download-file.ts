import type { Readable } from 'node:stream';
import { isAppError, isUuid, notFound } from '@parley/kit';
import { findFile, findSharingConversationIds, type FileRow } from '../db/file.repository.ts';
import type { MessagesContext } from './context.ts';
import { assertMember } from './membership.ts';

export type FileVariant = 'original' | 'thumbnail';

export interface OpenedFile {
  file: FileRow;
  variant: FileVariant;
  /** The stored type of what `open()` streams. */
  contentType: string;
  /** Known for the original; the thumbnail's is not stored. */
  size: number | undefined;
  /** Opens the bytes; called only once the caller is authorised (and not for a 304). */
  open(): Promise<Readable>;
}

type DownloadDeps = Parameters<typeof assertMember>[0] & Pick<MessagesContext, 'storage'>;

/**
 * A file for someone allowed to read it: its uploader, or a member of a conversation where a
 * message (not deleted) shares it, asked afresh on every request, so a member removed from the
 * group is refused from the next request on. Everyone else, unknown ids and a missing thumbnail
 * get 404 alike.
 */
export async function downloadFile(ctx: DownloadDeps, userId: string, fileId: string, variant: FileVariant): Promise<OpenedFile> {
  if (!isUuid(fileId)) throw notFound('file');
  const file = await findFile(ctx.db, fileId);
  if (!file || !(await mayRead(ctx, userId, file))) throw notFound('file');
  if (variant === 'thumbnail') {
    const key = file.thumbnail_key;
    if (!key) throw notFound('thumbnail');
    return { file, variant, contentType: 'image/webp', size: undefined, open: () => ctx.storage.get(key) };
  }
  return { file, variant, contentType: file.content_type, size: file.size, open: () => ctx.storage.get(file.storage_key) };
}

async function mayRead(ctx: DownloadDeps, userId: string, file: FileRow): Promise<boolean> {
  if (file.uploader_id === userId) return true;
  for (const conversationId of await findSharingConversationIds(ctx.db, file.id)) {
    try {
      await assertMember(ctx, conversationId, userId);
      return true;
    } catch (error) {
      // Not a member there; any other failure (groups unreachable) is not a "no".
      if (!(isAppError(error) && error.httpStatus === 404)) throw error;
    }
  }
  return false;
}
