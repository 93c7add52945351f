import type { Cached } from '../cache/cached.ts';
import type { Cache } from '../ports.ts';

/** What a cached thing holds for id now: undefined for a miss, or for an entry from before an invalidation. */
export async function currentEntry<V>(cache: Cache, thing: Cached<V>, id: string): Promise<V | undefined> {
  return (await thing.read(cache, [id]))[0]!.value;
}

/** A reader that loaded before the last change writes what it read back (a racing reader's write, on purpose). */
export async function writeBack<V>(cache: Cache, thing: Cached<V>, id: string, value: V): Promise<void> {
  const [read] = await thing.read(cache, [id]);
  await thing.write(cache, [{ id, value, read: read! }]);
}
