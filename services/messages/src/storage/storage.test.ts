import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isAppError } from '@parley/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiskStorage, type FileStorage } from './storage.ts';

const chunks = (...parts: string[]): Readable => Readable.from(parts.map((p) => Buffer.from(p)));

describe('disk storage', () => {
  let dir: string;
  let storage: FileStorage;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'parley-files-')), 'nested', 'files');
    storage = createDiskStorage(dir);
  });
  afterEach(() => {
    rmSync(join(dir, '..', '..'), { recursive: true, force: true });
  });

  it('creates its folder, stores a stream and reads it back', async () => {
    expect(await storage.put('abc', chunks('hello ', 'world'), 100)).toEqual({ size: 11 });
    expect(await storage.exists('abc')).toBe(true);
    const read = Buffer.concat((await (await storage.get('abc')).toArray()) as Buffer[]);
    expect(read.toString()).toBe('hello world');
    expect(readdirSync(dir)).toEqual(['abc']);
  });

  it('when the stream is larger than maxBytes, it rejects with 413 and leaves nothing behind', async () => {
    const error: unknown = await storage.put('big', chunks('12345', '67890', 'x'), 10).catch((e: unknown) => e);
    expect(isAppError(error) && error.httpStatus).toBe(413);
    expect(await storage.exists('big')).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when the stream is exactly maxBytes, it is stored', async () => {
    expect(await storage.put('exact', chunks('12345', '67890'), 10)).toEqual({ size: 10 });
  });

  it('when the source fails midway, it rejects with that error and leaves nothing behind', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('cut', failing, 100)).rejects.toThrow('client went away');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when a blob is missing, get answers 404, delete is a no-op and exists is false', async () => {
    const error: unknown = await storage.get('missing').catch((e: unknown) => e);
    expect(isAppError(error) && error.httpStatus).toBe(404);
    await storage.delete('missing');
    expect(await storage.exists('missing')).toBe(false);
  });

  it('deletes a blob', async () => {
    await storage.put('gone', chunks('x'), 10);
    await storage.delete('gone');
    expect(await storage.exists('gone')).toBe(false);
  });

  it.each(['../escape', 'a/b', '.hidden', '', 'a b', 'x'.repeat(200)])('refuses the key %j', async (key) => {
    await expect(storage.put(key, chunks('x'), 10)).rejects.toThrow(/invalid storage key/);
    await expect(storage.get(key)).rejects.toThrow(/invalid storage key/);
  });
});
