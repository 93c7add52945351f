import type { Cache } from '../ports.ts';
import { serialize, wholeSeconds } from './values.ts';

export interface MemoryCacheOptions {
  /** Past this many keys the least recently set ones go first. */
  maxEntries?: number;
}

interface Entry {
  /** Stored as JSON, as in Redis: a value read back is a copy with the same types Redis gives. */
  json: string;
  expiresAt: number;
}

/**
 * In-process cache for standalone mode with the Redis adapter's semantics. Expired keys are
 * dropped when read or evicted; a Map keeps insertion order, so re-inserting on every write
 * makes its first key the least recently set one.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();

  const live = (key: string, now = Date.now()): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const write = (key: string, entry: Entry): void => {
    entries.delete(key);
    entries.set(key, entry);
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  };

  const read = <T>(key: string): T | undefined => {
    const entry = live(key);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  };

  return {
    async get<T>(key: string): Promise<T | undefined> {
      return read<T>(key);
    },

    async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
      write(key, { json: serialize(value), expiresAt: Date.now() + wholeSeconds(ttlSeconds) * 1000 });
    },

    async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
      return keys.map((key) => read<T>(key));
    },

    async setMany<T>(pairs: readonly (readonly [string, T])[], ttlSeconds: number): Promise<void> {
      const expiresAt = Date.now() + wholeSeconds(ttlSeconds) * 1000;
      for (const [key, value] of pairs) write(key, { json: serialize(value), expiresAt });
    },

    async del(...keys: string[]): Promise<void> {
      for (const key of keys) entries.delete(key);
    },

    async delPrefix(prefix: string): Promise<void> {
      // Deleting the current key while iterating a Map is safe.
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    },

    async incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }> {
      const now = Date.now();
      const existing = live(key, now);
      let value = 1;
      let expiresAt = now + wholeSeconds(ttlSeconds) * 1000;
      if (existing) {
        const current: unknown = JSON.parse(existing.json);
        // Same refusal as Redis INCR on a value that is not an integer.
        if (!Number.isSafeInteger(current)) throw new Error('ERR value is not an integer or out of range');
        value = (current as number) + 1;
        expiresAt = existing.expiresAt;
      }
      write(key, { json: String(value), expiresAt });
      return { value, ttlSeconds: Math.ceil((expiresAt - now) / 1000) };
    },

    async ping(): Promise<boolean> {
      return true;
    },

    degraded: () => false,

    async close(): Promise<void> {
      entries.clear();
    },
  };
}
