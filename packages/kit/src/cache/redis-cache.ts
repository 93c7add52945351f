import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Cache } from '../ports.ts';
import { serialize, wholeSeconds } from './values.ts';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key, delPrefix included: isolates tenants and test runs. */
  keyPrefix?: string;
  /** A command not answered within this time rejects instead of waiting for Redis forever. */
  commandTimeoutMs?: number;
  /** Connection errors are reported here; without it they are swallowed. */
  logger?: Logger;
}

/** Keys are removed in batches of this size so one delPrefix never blocks Redis for long. */
const SCAN_BATCH = 500;

/** SCAN MATCH takes a glob pattern: the prefix itself must match literally. */
const escapeGlob = (text: string): string => text.replace(/[\\*?[\]]/g, '\\$&');

const parse = <T>(raw: string | null | undefined): T | undefined => (raw == null ? undefined : (JSON.parse(raw) as T));

/**
 * Scripts, sent by hash (EVALSHA) once Redis knows them. Each runs atomically, as one command, so
 * under auto-pipelining it shares a write with whatever else the same tick asks.
 */
const SCRIPTS = {
  /** setMany: SET key value EX ttl for every key, however many keys there are. */
  parleySetMany: {
    // No numberOfKeys: the caller passes it first, as with EVAL.
    lua: "for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1]) end return #KEYS",
  },
  /**
   * incr: the counter and its TTL can't be separated by a crash, and EXPIRE NX only sets the TTL
   * when the counter has none, i.e. when INCR has just created it. Answers { value, ttl }.
   */
  parleyIncr: {
    numberOfKeys: 1,
    lua: "local v = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX') return { v, redis.call('TTL', KEYS[1]) }",
  },
} as const;

interface ScriptCommands {
  parleySetMany(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  parleyIncr(key: string, ttlSeconds: number): Promise<[number, number]>;
}

/** Cache on Redis: JSON values, TTL on every key. */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const prefix = options.keyPrefix ?? '';
  const redis = new Redis(options.url, {
    // Fail a command after one reconnection attempt, or after the timeout: callers fall back
    // to the database instead of piling up behind a Redis that is gone.
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    // Commands issued in the same tick share one write: under load that halves syscalls.
    enableAutoPipelining: true,
  });
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, script);
  const scripts = redis as unknown as ScriptCommands;
  // Without a listener ioredis prints every reconnection error; it reconnects by itself.
  redis.on('error', (error: Error) => options.logger?.warn({ err: error }, 'redis cache connection error'));

  const k = (key: string): string => prefix + key;

  return {
    async get<T>(key: string): Promise<T | undefined> {
      return parse<T>(await redis.get(k(key)));
    },

    async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
      await redis.set(k(key), serialize(value), 'EX', wholeSeconds(ttlSeconds));
    },

    async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
      if (keys.length === 0) return [];
      const raw = await redis.mget(keys.map(k));
      return raw.map((value) => parse<T>(value));
    },

    async setMany<T>(entries: readonly (readonly [string, T])[], ttlSeconds: number): Promise<void> {
      if (entries.length === 0) return;
      const ttl = wholeSeconds(ttlSeconds);
      const values = entries.map(([, value]) => serialize(value));
      await scripts.parleySetMany(entries.length, ...entries.map(([key]) => k(key)), ttl, ...values);
    },

    async del(...keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      await redis.unlink(...keys.map(k));
    },

    async delPrefix(keyPrefix: string): Promise<void> {
      const pattern = `${escapeGlob(k(keyPrefix))}*`;
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        // SCAN may return a key twice across iterations; UNLINK of a missing key is harmless.
        if (found.length > 0) await redis.unlink(...found);
        cursor = next;
      } while (cursor !== '0');
    },

    async incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }> {
      const [value, ttl] = await scripts.parleyIncr(k(key), wholeSeconds(ttlSeconds));
      return { value: Number(value), ttlSeconds: Number(ttl) };
    },

    async ping(): Promise<boolean> {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      await quitRedis(redis);
    },
  };
}

/**
 * QUIT when connected (pending replies still arrive), otherwise just drop the socket: QUIT on a
 * connection that is down would wait for a reconnection. Shared by the Redis adapters.
 */
export async function quitRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
