import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, type BreakerState } from '../src/cache/circuit-breaker.ts';
import { CacheTimeoutError, isOutage } from '../src/cache/redis-cache.ts';

describe('circuit breaker', () => {
  const setup = () => {
    let now = 0;
    const changes: BreakerState[] = [];
    const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now, onChange: (state) => changes.push(state) });
    return { breaker, changes, advance: (ms: number) => (now += ms) };
  };

  it('opens after the threshold of failures in a row, and a success in between starts the count again', () => {
    const { breaker, changes } = setup();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('lets one probe through after the cooldown: its success closes, its failure opens for another cooldown', () => {
    const { breaker, changes, advance } = setup();
    for (let i = 0; i < 3; i += 1) breaker.failure();
    advance(999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(false); // only one probe at a time
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    advance(1000);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('what counts as a Redis outage for the cache breaker', () => {
  const timeout = new CacheTimeoutError(500);
  it('a connection error always does; a timeout only when Redis answered nothing for the whole deadline', () => {
    expect(isOutage(new Error('Connection is closed.'), 1_000, 1_001, 500)).toBe(true);
    expect(isOutage(timeout, 1_000, 1_499, 500)).toBe(false); // another call was answered just now: load, not an outage
    expect(isOutage(timeout, 1_000, 1_500, 500)).toBe(true);
  });
});
