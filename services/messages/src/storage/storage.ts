import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { notFound, payloadTooLarge } from '@parley/kit';

/**
 * Where file bytes live. Keys are ids this service made (a file's id, `<id>-thumb`), never
 * names a user chose. The disk adapter is the default; an S3-compatible one is described in
 * docs/messages-files.md and would implement the same four calls.
 */
export interface FileStorage {
  /**
   * Streams `stream` into the blob `key` and resolves with the bytes written. More than
   * maxBytes rejects with payloadTooLarge and leaves nothing behind; so does any error of the
   * source stream. The blob appears only once complete (no reader ever sees a partial one).
   */
  put(key: string, stream: Readable, maxBytes: number): Promise<{ size: number }>;
  /** The blob's bytes; rejects with notFound('file') when there is no such blob. */
  get(key: string): Promise<Readable>;
  /** Removes the blob; a missing one is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

const KEY = /^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$/;

/** Keys are ours, but a path must never be built from anything else: refuse what isn't one. */
export function assertStorageKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
}

/** The thumbnail blob beside a file's own. */
export const thumbnailKeyOf = (fileId: string): string => `${fileId}-thumb`;

/** Temporary names of uploads in progress; hidden, and never a valid key. */
const TEMP_PREFIX = '.upload-';
/** Leftovers of uploads cut off by a crash are removed at start once this old. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Blobs as files in one folder (a volume in production), created if missing. An upload is
 * written under a temporary name and renamed into place once complete, so a blob is either
 * whole or absent; the size is counted as the bytes pass, never by buffering the file.
 */
export function createDiskStorage(dir: string): FileStorage {
  mkdirSync(dir, { recursive: true });
  removeStaleUploads(dir);
  const pathOf = (key: string): string => {
    assertStorageKey(key);
    return join(dir, key);
  };

  return {
    async put(key, stream, maxBytes) {
      const target = pathOf(key);
      const temp = join(dir, `${TEMP_PREFIX}${key}-${randomBytes(6).toString('hex')}`);
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > maxBytes) callback(payloadTooLarge(`The file is larger than ${maxBytes} bytes.`));
          else callback(null, chunk);
        },
      });
      const sink = createWriteStream(temp, { flags: 'wx' });
      try {
        await pipeline(stream, counter, sink);
        await rename(temp, target);
        return { size };
      } catch (error) {
        // The pipeline rejects as soon as the source fails, possibly before the file has even
        // been opened: only once the sink has closed is there no open() left to create it again.
        // (events.once would reject on the sink's own 'error', which comes first.)
        if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()));
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key) {
      const path = pathOf(key);
      try {
        const handle = await open(path, 'r');
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('file');
        throw error;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async exists(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
  };
}

function removeStaleUploads(dir: string): void {
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { force: true });
    } catch {
      // gone already (another instance on the same volume removed it)
    }
  }
}
