import { randomBytes } from 'node:crypto';
import type { Cache } from '../ports.ts';

/**
 * Cache-aside, the one way a service caches what it reads from its database or from another
 * service: one module-level `cached<V>({ name, ttlSeconds })` per cached thing, which is also
 * the only builder of its keys; its reads and writes take the cache they go to.
 *
 * The race every cache-aside has: a reader loads the old value, a writer commits and
 * invalidates, then the reader writes the old value back, and it stays until its TTL. Here an
 * invalidation does not delete the entry, it stamps a new *generation* for the id; a read
 * returns the generation it saw together with the value (one MGET for both), and a loaded value
 * is written back under that generation. An entry counts only while its generation is still the
 * current one, so a value loaded before an invalidation can be written after it and is never
 * read. Entries go stale by events, not by time: the TTL only bounds memory.
 */

/** 0: no invalidation stamped (never, or so long ago that every entry from before has expired). */
type Generation = string | 0;

interface Entry<V> {
  g: Generation;
  v: V;
}

/** One id's read: its value if the cache holds a current one, and the generation to write a loaded value back under. */
export interface CachedRead<V> {
  value: V | undefined;
  generation: Generation;
  /** When it was read (ms): a value loaded too long after it is not written back (see MAX_LOAD_MS). */
  readAt: number;
}

export interface CachedOptions {
  /** The key prefix, `<service>:<thing>` (`messages:members`): entries are `<name>:c:<id>`. */
  name: string;
  /** How long an entry may stay: invalidations remove entries, this only bounds memory. */
  ttlSeconds: number;
  /**
   * Its entries never go stale (a direct conversation's members): no generation is read or
   * stamped, reads take one key, writes go with `put`, and it is never invalidated.
   */
  immutable?: boolean;
}

export interface Cached<V> {
  /** The entry's key: the one place it is spelt. */
  key(id: string): string;
  /** The keys a read of id takes (entry, then its generation unless immutable), in the order `decode` wants them: for reading with other keys in one round trip. */
  readKeys(id: string): readonly string[];
  /** What `cache.getMany(readKeys(id))` answered, as a read. */
  decode(raw: readonly unknown[]): CachedRead<V>;
  /** The cached values of ids, in order, with the generation each was read at. */
  read(cache: Cache, ids: readonly string[]): Promise<CachedRead<V>[]>;
  /** Writes loaded values back, each under the read (its generation) taken before it was loaded. */
  write(cache: Cache, entries: readonly { id: string; value: V; read: CachedRead<V> }[]): Promise<void>;
  /** Writes a value with no read before it: only for a thing whose entries never go stale (never invalidated). */
  put(cache: Cache, id: string, value: V): Promise<void>;
  /** The cached value, or load() written back; an undefined load is not cached (unknown ids fill nothing). */
  get(cache: Cache, id: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Values by id, cached where possible; loadMissing answers the rest (ids it leaves out are not cached). */
  getMany(cache: Cache, ids: readonly string[], loadMissing: (ids: string[]) => Promise<Iterable<readonly [string, V]>>): Promise<Map<string, V>>;
  /** Stamps a new generation for ids, so nothing cached or loaded before now is ever read again (the old entries expire unread). */
  invalidate(cache: Cache, ids: readonly string[]): Promise<void>;
}

/**
 * A generation stamp outlives every entry written under an older one: entries live ttlSeconds
 * after their write, and a write-back is skipped when it comes more than MAX_LOAD_MS after
 * its read (so it cannot land later than that after the invalidation it lost to).
 */
const MAX_LOAD_MS = 30_000;
const STAMP_EXTRA_SECONDS = Math.ceil(MAX_LOAD_MS / 1000) + 5;
/** Invalidations of large groups go out in slices, not as one enormous command. */
const SLICE = 1000;

/**
 * Generation stamps live apart from the entries (`gen:<name>:<id>`): a delPrefix of a cached
 * thing's entries leaves them, and cache metrics do not count them as reads (instrument.ts).
 */
export const GENERATION_PREFIX = 'gen:';
/**
 * Entries live under `<name>:c:<id>`, apart from the plain values releases before cached()
 * wrote under `<name>:<id>`: during a rolling upgrade neither reads the other's format (each
 * sees a miss and reads the source instead).
 */
const ENTRY_SEGMENT = 'c:';

// Unique across processes (random prefix) and within one (counter): a generation is never reused.
const processTag = randomBytes(6).toString('base64url');
let counter = 0;
const newGeneration = (): string => `${processTag}${(++counter).toString(36)}`;

export function cached<V>(options: CachedOptions): Cached<V> {
  const { name, ttlSeconds, immutable = false } = options;
  const stampSeconds = ttlSeconds + STAMP_EXTRA_SECONDS;
  const key = (id: string): string => `${name}:${ENTRY_SEGMENT}${id}`;
  const generationKey = (id: string): string => `${GENERATION_PREFIX}${name}:${id}`;

  const readKeys = (id: string): readonly string[] => (immutable ? [key(id)] : [key(id), generationKey(id)]);
  /** Keys per id in a read: whatever readKeys gives, so the two cannot disagree. */
  const readWidth = readKeys('').length;

  const decode = (raw: readonly unknown[]): CachedRead<V> => {
    const entry = raw[0] as Entry<V> | undefined;
    const generation = (raw[1] as Generation | undefined) ?? 0;
    return { value: entry && entry.g === generation ? entry.v : undefined, generation, readAt: Date.now() };
  };

  const read = async (cache: Cache, ids: readonly string[]): Promise<CachedRead<V>[]> => {
    if (ids.length === 0) return [];
    const raw = await cache.getMany<unknown>(ids.flatMap(readKeys));
    return ids.map((_, i) => decode(raw.slice(readWidth * i, readWidth * (i + 1))));
  };

  const write = async (cache: Cache, entries: readonly { id: string; value: V; read: CachedRead<V> }[]): Promise<void> => {
    const now = Date.now();
    const timely = entries.filter(({ read }) => now - read.readAt <= MAX_LOAD_MS);
    if (timely.length === 0) return;
    await cache.setMany(
      timely.map(({ id, value, read }) => [key(id), { g: read.generation, v: value } satisfies Entry<V>] as const),
      ttlSeconds,
    );
  };

  const getMany = async (cache: Cache, ids: readonly string[], loadMissing: (ids: string[]) => Promise<Iterable<readonly [string, V]>>): Promise<Map<string, V>> => {
    const unique = [...new Set(ids)];
    const found = new Map<string, V>();
    const reads = await read(cache, unique);
    const missing = unique.filter((id, i) => {
      const { value } = reads[i]!;
      if (value !== undefined) found.set(id, value);
      return value === undefined;
    });
    if (missing.length === 0) return found;
    const readOf = new Map(unique.map((id, i) => [id, reads[i]!]));
    const loaded = [...(await loadMissing(missing))];
    for (const [id, value] of loaded) found.set(id, value);
    await write(
      cache,
      loaded.flatMap(([id, value]) => (readOf.has(id) ? [{ id, value, read: readOf.get(id)! }] : [])),
    );
    return found;
  };

  return {
    key,
    readKeys,
    decode,
    read,
    write,
    getMany,
    put: (cache, id, value) => cache.set(key(id), { g: 0, v: value } satisfies Entry<V>, ttlSeconds),
    async get(cache, id, load) {
      const found = await getMany(cache, [id], async () => {
        const value = await load();
        return value === undefined ? [] : [[id, value] as const];
      });
      return found.get(id);
    },
    async invalidate(cache, ids) {
      if (immutable) throw new Error(`${name} is immutable: its entries are never invalidated`);
      const unique = [...new Set(ids)];
      for (let start = 0; start < unique.length; start += SLICE) {
        const slice = unique.slice(start, start + SLICE);
        // The stamp alone makes every entry of these ids unreadable (an entry counts only under the
        // current generation), and each entry expires before its stamp does (STAMP_EXTRA_SECONDS):
        // no delete, so an invalidation is one command (a message invalidates every member's chat list).
        const generation = newGeneration();
        await cache.setMany(
          slice.map((id) => [generationKey(id), generation] as const),
          stampSeconds,
        );
      }
    },
  };
}
