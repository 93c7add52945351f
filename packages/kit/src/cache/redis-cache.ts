import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Cache } from '../ports.ts';
import { createCircuitBreaker } from './circuit-breaker.ts';
import { serialize, wholeSeconds } from './values.ts';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key, delPrefix included: isolates tenants and test runs. */
  keyPrefix?: string;
  /**
   * A command not answered within this time counts as a failure (a miss for reads): a slow
   * Redis must not hold requests. Default 500 ms (CACHE_TIMEOUT_MS).
   */
  commandTimeoutMs?: number;
  /** Failures in a row that open the circuit breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the open breaker skips Redis before one probe goes through. Default 1 s. */
  breakerCooldownMs?: number;
  /** Connection errors and the entering and leaving of degraded mode are reported here. */
  logger?: Logger;
}

/** Keys are removed in batches of this size so one delPrefix never blocks Redis for long. */
const SCAN_BATCH = 500;

/**
 * The generation of every cached value. A value is stored stamped with the epoch current when
 * it was written and is a miss once the epoch has changed: after an outage during which writes
 * or invalidations could not be made, one new epoch drops every entry that may be stale, on
 * every instance at once. Counters (incr) are not stamped: they are state, not cached copies.
 */
const EPOCH_KEY = 'parley:cache-epoch';
/** Stamped values read `~<epoch>~<json>`; JSON never starts with `~`. */
const STAMP = '~';

/** SCAN MATCH takes a glob pattern: the prefix itself must match literally. */
const escapeGlob = (text: string): string => text.replace(/[\\*?[\]]/g, '\\$&');

/**
 * Scripts, sent by hash (EVALSHA) once Redis knows them. Each runs atomically, as one command, so
 * under auto-pipelining it shares a write with whatever else the same tick asks.
 */
const SCRIPTS = {
  /**
   * set / setMany: SET key value EX ttl for every key, stamped with the epoch the caller believes
   * current, but only if it still is: a value stamped with an old epoch would be a miss for
   * everyone anyway, so nothing is written. Answers the current epoch either way, so an instance
   * whose epoch is behind (one that writes but seldom reads, like accounts writing sessions)
   * catches up on its next write instead of writing invisible values forever.
   * KEYS: the epoch key, then the keys; ARGV: the epoch, the ttl, then one value per key.
   */
  parleySetStamped: {
    lua:
      "local e = redis.call('GET', KEYS[1]) or '' " +
      'if e ~= ARGV[1] then return e end ' +
      "for i = 2, #KEYS do redis.call('SET', KEYS[i], '~' .. e .. '~' .. ARGV[i + 1], 'EX', ARGV[2]) end " +
      'return e',
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
  parleySetStamped(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<string>;
  parleyIncr(key: string, ttlSeconds: number): Promise<[number, number]>;
}

/** How many times a deadline is moved when its timer fired late because of our own event loop. */
const MAX_REARMS = 3;

export class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`The cache did not answer within ${ms} ms.`);
    this.name = 'CacheTimeoutError';
  }
}

/**
 * Whether a failed call says Redis is away (and counts towards opening the breaker). A connection
 * error does. A timeout does only when Redis answered nothing at all for the whole deadline: under
 * load, answers arrive late but keep arriving, and a breaker that opened then would skip writes,
 * start new epochs and turn every cache (sessions included) cold without any outage.
 */
export function isOutage(error: unknown, lastAnswerAt: number, now: number, timeoutMs: number): boolean {
  if (!(error instanceof CacheTimeoutError)) return true;
  return now - lastAnswerAt >= timeoutMs;
}

/** Thrown by incr while Redis is unavailable: a counter has no safe default (see RateLimiter). */
export class CacheUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The cache is unavailable.', cause === undefined ? {} : { cause });
    this.name = 'CacheUnavailableError';
  }
}

/**
 * Cache on Redis: JSON values, TTL on every key. It fails open: a read that fails or times out
 * is a miss and a write that fails is skipped, so the caller's database answers while Redis is
 * away (only incr throws, CacheUnavailableError). A circuit breaker stops paying the timeout on
 * every call while Redis is down. Anything written or invalidated while it failed may have left
 * a stale entry behind, so the first call after such a failure starts a new epoch (see
 * EPOCH_KEY) before Redis is trusted again. Reads that failed lose nothing: an instance that
 * only read during an outage keeps the cache warm.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const prefix = options.keyPrefix ?? '';
  const logger = options.logger;
  const timeoutMs = options.commandTimeoutMs ?? 500;
  const redis = new Redis(options.url, {
    // Commands wait for the first connection (bounded by the timeout); once connected, a
    // command issued while the connection is down fails at once instead of queueing (below).
    maxRetriesPerRequest: 0,
    // The deadline that counts is withDeadline's; this one only bounds a command for good.
    commandTimeout: Math.max(timeoutMs * 10, 5_000),
    // Commands issued in the same tick share one write: under load that halves syscalls.
    enableAutoPipelining: true,
  });
  redis.once('ready', () => {
    // ioredis reads the option on every command: from now on a disconnected cache is a miss
    // at once, not after the timeout.
    redis.options.enableOfflineQueue = false;
  });
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, script);
  const scripts = redis as unknown as ScriptCommands;
  // Without a listener ioredis prints every reconnection error; it reconnects by itself. The
  // breaker's one line per change says what matters; these are for debugging.
  redis.on('error', (error: Error) => logger?.debug({ err: error }, 'redis cache connection error'));

  const k = (key: string): string => prefix + key;
  const epochKey = k(EPOCH_KEY);

  /** The epoch last seen; undefined until read. Values written under an older one are misses. */
  let epoch: string | undefined;
  /**
   * Writes (or invalidations) lost so far, and how many of them a new epoch already covers: while
   * some are not covered, a new epoch must start before Redis is trusted again. A count, not a
   * flag, so a write lost while an epoch is being started is not forgotten by it.
   */
  let lostWrites = 0;
  let coveredWrites = 0;
  const loseWrite = (): void => {
    lostWrites += 1;
  };
  let bumping: Promise<void> | undefined;

  // One line on entering degraded mode and one on leaving it, not one per failed probe.
  let degradedSince: number | undefined;
  const breaker = createCircuitBreaker({
    failureThreshold: options.breakerThreshold ?? 5,
    cooldownMs: options.breakerCooldownMs ?? 1_000,
    onChange(state) {
      if (state === 'open' && degradedSince === undefined) {
        degradedSince = Date.now();
        logger?.warn({ dependency: 'redis' }, 'redis unavailable: caches fail open (misses go to the database), running degraded');
      } else if (state === 'closed' && degradedSince !== undefined) {
        logger?.info({ dependency: 'redis', degradedMs: Date.now() - degradedSince }, 'redis is back: caches trusted again (a new epoch if writes were lost)');
        degradedSince = undefined;
      }
    },
  });

  const newEpoch = async (): Promise<void> => {
    const covers = lostWrites;
    const next = randomBytes(6).toString('base64url');
    await redis.set(epochKey, next);
    epoch = next;
    coveredWrites = Math.max(coveredWrites, covers);
  };
  /** One epoch bump at a time; every caller waits for it. */
  const bumpEpoch = (): Promise<void> => {
    bumping ??= newEpoch().finally(() => {
      bumping = undefined;
    });
    return bumping;
  };
  const currentEpoch = async (): Promise<string> => {
    if (epoch === undefined) epoch = (await redis.get(epochKey)) ?? '';
    return epoch;
  };

  /** A stored value, or undefined when missing or written under another epoch. */
  const unstamp = <T>(raw: string | null | undefined, current: string): T | undefined => {
    if (raw == null) return undefined;
    if (!raw.startsWith(STAMP)) return JSON.parse(raw) as T; // a counter
    const end = raw.indexOf(STAMP, 1);
    if (raw.slice(1, end) !== current) return undefined;
    return JSON.parse(raw.slice(end + 1)) as T;
  };

  /**
   * The call's answer within timeoutMs of Redis time. A timer that fires late says our own event
   * loop was busy (the answer may be waiting unread in the socket): it is re-armed rather than
   * blamed on Redis, so an overloaded process does not take itself for a Redis outage.
   */
  const withDeadline = <T>(call: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let rearms = 0;
      let due = Date.now() + timeoutMs;
      const fire = (): void => {
        const late = Date.now() - due;
        if (late > timeoutMs / 2 && rearms < MAX_REARMS) {
          rearms += 1;
          due = Date.now() + timeoutMs;
          timer = setTimeout(fire, timeoutMs);
          return;
        }
        reject(new CacheTimeoutError(timeoutMs));
      };
      let timer = setTimeout(fire, timeoutMs);
      call.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });

  /**
   * Runs one Redis call behind the breaker. `write` calls that fail (or are skipped) leave the
   * cache possibly stale: the next call that reaches Redis starts a new epoch before its own.
   */
  /** When Redis last answered a call of this cache: a timeout while it still answers is load, not an outage. */
  let lastAnswerAt = Date.now();
  const guarded = async <T>(write: boolean, call: () => Promise<T>, fallback: () => T): Promise<T> => {
    if (!breaker.allow()) {
      if (write) loseWrite();
      return fallback();
    }
    try {
      if (lostWrites > coveredWrites) await withDeadline(bumpEpoch());
      const result = await withDeadline(call());
      lastAnswerAt = Date.now();
      breaker.success();
      return result;
    } catch (error) {
      if (isOutage(error, lastAnswerAt, Date.now(), timeoutMs)) breaker.failure();
      // A write that timed out was sent and most likely applied; one that failed on the
      // connection may not have been. (If Redis hangs for good the breaker opens, and the
      // writes it skips then start a new epoch anyway.)
      if (write && !(error instanceof CacheTimeoutError)) loseWrite();
      logger?.debug({ err: error }, 'redis cache call failed');
      return fallback();
    }
  };
  const miss = (): undefined => undefined;
  const skip = (): void => undefined;

  /**
   * Writes JSON values stamped with the current epoch, in one script: when this instance's epoch
   * is behind, nothing is written (it would be a miss for everyone) and the epoch is caught up.
   */
  const writeStamped = async (keys: readonly string[], json: readonly string[], ttl: number): Promise<void> => {
    const believed = await currentEpoch();
    epoch = await scripts.parleySetStamped(keys.length + 1, epochKey, ...keys.map(k), believed, ttl, ...json);
  };

  /** MGET of the epoch with the keys: one round trip, and the epoch is never older than the values. */
  const readStamped = async <T>(keys: readonly string[]): Promise<(T | undefined)[] | undefined> => {
    const [current, ...raw] = await redis.mget(epochKey, ...keys.map(k));
    epoch = current ?? '';
    return raw.map((value) => unstamp<T>(value, epoch!));
  };

  return {
    async get<T>(key: string): Promise<T | undefined> {
      const values = await guarded(false, () => readStamped<T>([key]), miss);
      return values?.[0];
    },

    async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
      await guarded(true, () => writeStamped([key], [serialize(value)], wholeSeconds(ttlSeconds)), skip);
    },

    async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
      if (keys.length === 0) return [];
      const values = await guarded(false, () => readStamped<T>(keys), miss);
      return values ?? keys.map(miss);
    },

    async setMany<T>(entries: readonly (readonly [string, T])[], ttlSeconds: number): Promise<void> {
      if (entries.length === 0) return;
      const json = entries.map(([, value]) => serialize(value));
      await guarded(
        true,
        () =>
          writeStamped(
            entries.map(([key]) => key),
            json,
            wholeSeconds(ttlSeconds),
          ),
        skip,
      );
    },

    async del(...keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      await guarded(true, async () => void (await redis.unlink(...keys.map(k))), skip);
    },

    async delPrefix(keyPrefix: string): Promise<void> {
      const pattern = `${escapeGlob(k(keyPrefix))}*`;
      await guarded(
        true,
        async () => {
          let cursor = '0';
          do {
            const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
            // SCAN may return a key twice across iterations; UNLINK of a missing key is harmless.
            if (found.length > 0) await redis.unlink(...found);
            cursor = next;
          } while (cursor !== '0');
          // A delPrefix('') (tests, tenants) took the epoch with it: read it again.
          epoch = undefined;
        },
        skip,
      );
    },

    async incr(key: string, ttlSeconds: number): Promise<{ value: number; ttlSeconds: number }> {
      const ttl = wholeSeconds(ttlSeconds);
      const result = await guarded(
        true,
        async () => {
          const [value, left] = await scripts.parleyIncr(k(key), ttl);
          return { value: Number(value), ttlSeconds: Number(left) };
        },
        miss,
      );
      if (!result) throw new CacheUnavailableError();
      return result;
    },

    async ping(): Promise<boolean> {
      // Readiness probes go through the breaker too: a probe that answers ends degraded mode
      // (new epoch first), one that fails counts towards opening the breaker.
      return guarded(
        false,
        async () => (await redis.ping()) === 'PONG',
        () => false,
      );
    },

    degraded(): boolean {
      return breaker.state !== 'closed';
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
