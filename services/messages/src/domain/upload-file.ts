import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import { badRequest, isAppError, newId } from '@parley/kit';
import sharp from 'sharp';
import { insertFile, type FileRow } from '../db/file.repository.ts';
import { thumbnailKeyOf } from '../storage/storage.ts';
import type { MessagesContext } from './context.ts';
import { hasThumbnailType, SNIFF_BYTES, sniffContentType } from './file-content-type.ts';
import { sanitizeFileName } from './sanitize-file-name.ts';

/** Thumbnails fit in a 320 × 320 box, as WebP. */
export const THUMBNAIL_SIZE = 320;
/** Larger images are not decoded for a thumbnail (decompression bombs); the file is kept without one. */
const MAX_THUMBNAIL_INPUT_PIXELS = 50_000_000;

export interface UploadInput {
  /** The name the client gave; sanitised here. */
  name: string | undefined;
  /** The file's bytes, read once, straight into storage. */
  stream: Readable;
  /** Runs once the bytes are stored, before the file is recorded: throwing refuses the upload (e.g. a second file in the request) and removes what was written. */
  checkRest?: () => Promise<void>;
}

type UploadDeps = Pick<MessagesContext, 'db' | 'storage' | 'config' | 'logger'>;

/**
 * Stores an upload. The bytes stream into storage under a new id (never buffered whole; more
 * than FILE_MAX_BYTES answers 413 and leaves nothing behind) while the first 4100 bytes are
 * kept to sniff the type from; images also get a thumbnail. An empty file answers 400. The
 * file is the uploader's alone until they attach it to a message; unattached files are removed
 * by the clean-up job after a day.
 */
export async function uploadFile(ctx: UploadDeps, uploaderId: string, input: UploadInput): Promise<FileRow> {
  const id = newId();
  const head = new HeadTap(SNIFF_BYTES);
  const { size } = await ctx.storage.put(id, tap(input.stream, head), ctx.config.FILE_MAX_BYTES).catch((error: unknown) => {
    throw uploadFailure(error, input.stream);
  });
  try {
    if (size === 0) throw badRequest('The file is empty.', { 'body.file': ['is empty'] });
    await input.checkRest?.();
    const contentType = await sniffContentType(head.bytes());
    const thumbnailKey = hasThumbnailType(contentType) ? await makeThumbnail(ctx, id) : null;
    try {
      return await insertFile(ctx.db, {
        id,
        uploaderId,
        name: sanitizeFileName(input.name),
        size,
        contentType,
        storageKey: id,
        thumbnailKey,
      });
    } catch (error) {
      if (thumbnailKey) await ctx.storage.delete(thumbnailKey);
      throw error;
    }
  } catch (error) {
    await ctx.storage.delete(id);
    throw error;
  }
}

/**
 * Why storing failed, as the client should hear it: our own refusals (413) as they are; the
 * upload's stream failing (cut off, malformed multipart: the parser destroys the part's stream,
 * possibly before we even started reading it) is the client's doing, 400; a failure of the
 * storage itself (its errors carry a syscall) stays a server error.
 */
function uploadFailure(error: unknown, source: Readable): unknown {
  if (isAppError(error) || typeof (error as { syscall?: unknown }).syscall === 'string') return error;
  const cutOff = source.errored !== null || (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE';
  return cutOff ? badRequest('The upload was cut off or is malformed.', { 'body.file': ['could not be read from the multipart body'] }) : error;
}

/** A WebP thumbnail of the stored image beside it; null when the image cannot be decoded. */
async function makeThumbnail(ctx: UploadDeps, fileId: string): Promise<string | null> {
  const key = thumbnailKeyOf(fileId);
  try {
    // sharp gathers streamed input into memory before decoding anyway: read it plainly.
    const image = Buffer.concat((await (await ctx.storage.get(fileId)).toArray()) as Buffer[]);
    const thumbnail = await sharp(image, { limitInputPixels: MAX_THUMBNAIL_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    await ctx.storage.put(key, Readable.from([thumbnail]), Number.MAX_SAFE_INTEGER);
    return key;
  } catch (error) {
    ctx.logger.info({ err: error, fileId }, 'no thumbnail: the image could not be read');
    await ctx.storage.delete(key);
    return null;
  }
}

/** Keeps the first `limit` bytes of what flows through it. */
class HeadTap extends Transform {
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    if (this.kept < this.limit) {
      const part = chunk.subarray(0, this.limit - this.kept);
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
    }
    callback(null, chunk);
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/**
 * source → through, an error of either destroying both: a broken upload reaches the storage
 * (which removes its partial blob), and a refused one (too large) stops reading the upload.
 */
function tap(source: Readable, through: Transform): Transform {
  return pipeline(source, through, () => undefined);
}
