/**
 * A circuit breaker in front of one dependency (the cache's Redis): after `failureThreshold`
 * failures in a row it opens and callers skip the dependency at once instead of each paying the
 * timeout; after `cooldownMs` one call goes through as a probe (half-open): its success closes
 * the breaker, its failure opens it for another cooldown.
 */
export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  /** Told once on every change of state (for the one log line and the degraded gauge). */
  onChange?(state: BreakerState): void;
  now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  readonly state: BreakerState;
  /** True when a call may go to the dependency now; in half-open only the one probe may. */
  allow(): boolean;
  success(): void;
  failure(): void;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;

  const moveTo = (next: BreakerState): void => {
    if (state === next) return;
    state = next;
    options.onChange?.(next);
  };
  const open = (): void => {
    openedAt = now();
    probing = false;
    moveTo('open');
  };

  return {
    get state() {
      return state;
    },
    allow() {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (now() - openedAt < options.cooldownMs) return false;
        moveTo('half-open');
      }
      if (probing) return false;
      probing = true;
      return true;
    },
    success() {
      failures = 0;
      probing = false;
      moveTo('closed');
    },
    failure() {
      failures += 1;
      if (state === 'half-open' || (state === 'closed' && failures >= options.failureThreshold)) open();
    },
  };
}
