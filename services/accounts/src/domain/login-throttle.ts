import { tooManyRequests, type Cache } from '@parley/kit';
import type { AccountsConfig } from '../config.ts';

type ThrottleConfig = Pick<
  AccountsConfig,
  'LOGIN_MAX_FAILURES' | 'LOGIN_MAX_FAILURES_PER_IP' | 'LOGIN_DELAY_BASE_SECONDS' | 'LOGIN_DELAY_MAX_SECONDS' | 'LOGIN_WINDOW_SECONDS'
>;

/**
 * Slows password guessing down without handing anyone a lock on other people's accounts.
 *
 * Failures are counted per (account, client address) and per address, each in a window of
 * LOGIN_WINDOW_SECONDS. Past LOGIN_MAX_FAILURES for a pair (LOGIN_MAX_FAILURES_PER_IP for an
 * address), each further failure makes that pair (address) wait before its next attempt, twice
 * as long as the last time: LOGIN_DELAY_BASE_SECONDS, then 2x, 4x, ... up to
 * LOGIN_DELAY_MAX_SECONDS. A waiting attempt answers 429 with the seconds left in Retry-After and
 * is not checked (so costs no password hash). An address with no failures is never slowed by
 * failures from elsewhere: the owner gets in while an attacker waits.
 *
 * Guessing from many addresses is bounded per address; the per-IP attempt limit
 * (AUTH_MAX_PER_IP) caps what one address can try at all.
 */
export interface LoginThrottle {
  /** Throws 429 (Retry-After) while this address must wait before trying this account. */
  assertMayTry(accountKey: string, ip: string): Promise<void>;
  recordFailure(accountKey: string, ip: string): Promise<void>;
  /** Forgets the pair's failures (not the address's: one's own account must not launder guesses at others). */
  recordSuccess(accountKey: string, ip: string): Promise<void>;
}

const pairKey = (accountKey: string, ip: string): string => `login-failures:${accountKey}:ip:${ip}`;
const addressKey = (ip: string): string => `login-failures:ip:${ip}`;
const waitKey = (counterKey: string): string => `${counterKey}:wait-until`;

export function createLoginThrottle(cache: Cache, config: ThrottleConfig, now: () => number = Date.now): LoginThrottle {
  /** The delay after the `failures`-th failure, 0 while still within the free ones. */
  const delaySeconds = (failures: number, free: number): number => {
    if (failures < free) return 0;
    const doublings = Math.min(failures - free, 40);
    return Math.min(config.LOGIN_DELAY_BASE_SECONDS * 2 ** doublings, config.LOGIN_DELAY_MAX_SECONDS);
  };

  const count = async (key: string, free: number): Promise<void> => {
    const { value } = await cache.incr(key, config.LOGIN_WINDOW_SECONDS);
    const delay = delaySeconds(value, free);
    if (delay > 0) await cache.set(waitKey(key), now() + delay * 1000, delay);
  };

  return {
    async assertMayTry(accountKey, ip) {
      const waits = await cache.getMany<number>([waitKey(pairKey(accountKey, ip)), waitKey(addressKey(ip))]);
      const until = Math.max(0, ...waits.map((value) => value ?? 0));
      const left = until - now();
      if (left > 0) throw tooManyRequests(Math.ceil(left / 1000));
    },
    async recordFailure(accountKey, ip) {
      await Promise.all([count(pairKey(accountKey, ip), config.LOGIN_MAX_FAILURES), count(addressKey(ip), config.LOGIN_MAX_FAILURES_PER_IP)]);
    },
    async recordSuccess(accountKey, ip) {
      const key = pairKey(accountKey, ip);
      await cache.del(key, waitKey(key));
    },
  };
}
