import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createLogger, isAppError, type Db } from '@parley/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessagesConfig } from '../config.ts';
import { createDiskStorage, type FileStorage } from '../storage/storage.ts';
import { uploadFile } from './upload-file.ts';

/** The database is never reached in these cases: every one fails before the row is written. */
const unusedDb = {
  query: () => Promise.reject(new Error('the database should not be reached')),
} as unknown as Db;

const statusOf = (error: unknown): number | undefined => (isAppError(error) ? error.httpStatus : undefined);

describe('uploadFile failures', () => {
  let dir: string;
  let storage: FileStorage;
  const ctx = () => ({ db: unusedDb, storage, config: { FILE_MAX_BYTES: 1024 } as MessagesConfig, logger: createLogger('test', 'silent') });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-upload-'));
    storage = createDiskStorage(dir);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the upload stream was already destroyed with an error (a malformed body), it answers 400', async () => {
    const stream = new Readable({ read() {} });
    stream.on('error', () => undefined);
    stream.destroy(new Error('Unexpected end of form'));
    const error = await uploadFile(ctx(), 'user', { name: 'a.txt', stream }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(400);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the upload stream fails midway, it answers 400 and nothing is left', async () => {
    let sent = false;
    const stream = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(Buffer.from('some bytes'));
        } else this.destroy(new Error('Part terminated early'));
      },
    });
    const error = await uploadFile(ctx(), 'user', { name: 'a.txt', stream }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(400);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the upload is over FILE_MAX_BYTES, it answers 413 and nothing is left', async () => {
    const error = await uploadFile(ctx(), 'user', { name: 'a.bin', stream: Readable.from([Buffer.alloc(800), Buffer.alloc(800)]) }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(413);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the upload is empty, it answers 400 and nothing is left', async () => {
    const error = await uploadFile(ctx(), 'user', { name: 'a.txt', stream: Readable.from([]) }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(400);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the storage itself fails, the error stays a server error', async () => {
    const failing: FileStorage = {
      ...storage,
      put: () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', syscall: 'write' })),
    };
    const error = await uploadFile({ ...ctx(), storage: failing }, 'user', { name: 'a.txt', stream: Readable.from([Buffer.from('x')]) }).catch((e: unknown) => e);
    expect(isAppError(error)).toBe(false);
    expect((error as Error).message).toMatch(/ENOSPC/);
  });
});
