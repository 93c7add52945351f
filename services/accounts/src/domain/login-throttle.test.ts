import { CacheUnavailableError, createMemoryCache, createRateLimiter, isAppError, type Cache } from '@parley/kit';
import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.ts';

const config = {
  LOGIN_MAX_FAILURES: 3,
  LOGIN_MAX_FAILURES_PER_IP: 10,
  LOGIN_DELAY_BASE_SECONDS: 2,
  LOGIN_DELAY_MAX_SECONDS: 60,
  LOGIN_WINDOW_SECONDS: 900,
};

const throttleOf = (now: () => number, cache: Cache = createMemoryCache(), instances = 1) =>
  createLoginThrottle(cache, createRateLimiter({ cache, instances }), config, now);

/** The cache while Redis is down: reads miss, writes are skipped, counters throw. */
function unavailableCache(): Cache {
  return {
    ...createMemoryCache(),
    get: async () => undefined,
    getMany: async (keys) => keys.map(() => undefined),
    set: async () => undefined,
    incr: async () => {
      throw new CacheUnavailableError();
    },
    degraded: () => true,
  };
}

/** The Retry-After an attempt gets, or 0 when it may go ahead. */
async function waitOf(check: Promise<void>): Promise<number> {
  try {
    await check;
    return 0;
  } catch (error) {
    if (isAppError(error) && error.httpStatus === 429) return error.extra.retryAfterSeconds ?? -1;
    throw error;
  }
}

describe('the login throttle', () => {
  it('lets the free failures through, then makes the pair wait twice as long after each further failure, up to the cap', async () => {
    const now = 1_000_000;
    const throttle = throttleOf(() => now);
    const waits: number[] = [];
    for (let failure = 1; failure <= 9; failure += 1) {
      await throttle.recordFailure('user:alice', '203.0.113.7');
      waits.push(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7')));
    }
    expect(waits).toEqual([0, 0, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('never slows another address down: the owner gets in while the attacker waits', async () => {
    const throttle = throttleOf(() => 1_000_000);
    for (let failure = 0; failure < 8; failure += 1) await throttle.recordFailure('user:alice', '203.0.113.7');
    expect(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7'))).toBeGreaterThan(0);
    expect(await waitOf(throttle.assertMayTry('user:alice', '198.51.100.1'))).toBe(0);
    // Many addresses each failing a little lock nobody out.
    for (let i = 0; i < 50; i += 1) await throttle.recordFailure('user:alice', `10.0.0.${i}`);
    expect(await waitOf(throttle.assertMayTry('user:alice', '198.51.100.1'))).toBe(0);
  });

  it('slows an address down that fails across many accounts, for every account', async () => {
    const throttle = throttleOf(() => 1_000_000);
    for (let i = 0; i < config.LOGIN_MAX_FAILURES_PER_IP; i += 1) await throttle.recordFailure(`user:u${i}`, '203.0.113.9');
    expect(await waitOf(throttle.assertMayTry('user:someone-new', '203.0.113.9'))).toBe(2);
    expect(await waitOf(throttle.assertMayTry('user:someone-new', '198.51.100.1'))).toBe(0);
  });

  it('the wait runs out with time, and a success forgets the pair', async () => {
    let now = 1_000_000;
    const throttle = throttleOf(() => now);
    for (let failure = 0; failure < 4; failure += 1) await throttle.recordFailure('user:alice', '203.0.113.7');
    expect(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7'))).toBe(4);
    now += 4_000;
    expect(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7'))).toBe(0);
    await throttle.recordSuccess('user:alice', '203.0.113.7');
    await throttle.recordFailure('user:alice', '203.0.113.7');
    expect(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7'))).toBe(0);
  });

  it('still slows guessing down while Redis is down: each process counts its share of the free failures (3 / 3 instances) and keeps the waits', async () => {
    const throttle = throttleOf(() => 1_000_000, unavailableCache(), 3);
    expect(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7'))).toBe(0);
    await throttle.recordFailure('user:alice', '203.0.113.7');
    expect(await waitOf(throttle.assertMayTry('user:alice', '203.0.113.7'))).toBe(2);
    expect(await waitOf(throttle.assertMayTry('user:alice', '198.51.100.1'))).toBe(0);
  });
});
