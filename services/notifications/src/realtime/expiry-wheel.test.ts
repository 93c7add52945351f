import { describe, expect, it } from 'vitest';
import { ExpiryWheel } from './expiry-wheel.ts';

describe('the expiry wheel', () => {
  const at = (second: number, ms = 0) => second * 1000 + ms;

  it('expires each item in the sweep of the second its expiry falls in, not before', () => {
    const expired: string[] = [];
    const wheel = new ExpiryWheel<string>(
      (item) => expired.push(item),
      () => at(100),
    );
    wheel.schedule('a', at(102));
    wheel.schedule('b', at(102, 400)); // bucket 103: due only once 102.4 s has passed and the 103 s tick came
    wheel.schedule('c', at(105));
    expect(wheel.sweep(at(101, 999))).toBe(0);
    expect(wheel.sweep(at(102, 1))).toBe(1);
    expect(expired).toEqual(['a']);
    expect(wheel.sweep(at(103, 1))).toBe(1);
    expect(expired).toEqual(['a', 'b']);
    // A stalled loop catches up on every missed second at once.
    expect(wheel.sweep(at(110))).toBe(1);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(wheel.size()).toBe(0);
  });

  it('moves a renewed item to its new second and forgets a cancelled one', () => {
    const expired: string[] = [];
    const wheel = new ExpiryWheel<string>(
      (item) => expired.push(item),
      () => at(100),
    );
    wheel.schedule('renewed', at(101));
    wheel.schedule('renewed', at(200), at(101));
    wheel.schedule('closed', at(101));
    wheel.cancel('closed', at(101));
    wheel.schedule('forever', Number.POSITIVE_INFINITY);
    expect(wheel.sweep(at(150))).toBe(0);
    expect(wheel.size()).toBe(1);
    expect(wheel.sweep(at(200))).toBe(1);
    expect(expired).toEqual(['renewed']);
  });

  it('puts an expiry already past in the next sweep', () => {
    const expired: string[] = [];
    let now = at(100);
    const wheel = new ExpiryWheel<string>(
      (item) => expired.push(item),
      () => now,
    );
    wheel.sweep(at(100, 500));
    now = at(100, 600);
    wheel.schedule('late', at(90));
    expect(wheel.sweep(at(101, 1))).toBe(1);
    expect(expired).toEqual(['late']);
  });
});
