/**
 * Closes things when they expire, to the second, with one timer for all of them: items sit in
 * buckets keyed by the second they expire in (a token's `exp`), and a tick at each second's
 * boundary empties the buckets that are due. Thousands of idle sockets cost a Set entry each,
 * not a timer each; renewing a token moves its socket to another bucket.
 */
export class ExpiryWheel<T> {
  private readonly buckets = new Map<number, Set<T>>();
  /** Buckets before this second have been emptied. */
  private nextSecond: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onExpire: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.nextSecond = ExpiryWheel.secondOf(this.now());
  }

  /** The bucket of an expiry in ms: the first whole second at or after it. */
  private static secondOf(ms: number): number {
    return Math.ceil(ms / 1000);
  }

  /**
   * Puts `item` in the bucket of `expiresAtMs` (taking it out of `previousMs`'s, if given). An
   * expiry already past goes in the next tick's bucket; an infinite one is not scheduled.
   */
  schedule(item: T, expiresAtMs: number, previousMs?: number): void {
    if (previousMs !== undefined) this.cancel(item, previousMs);
    if (!Number.isFinite(expiresAtMs)) return;
    const second = Math.max(ExpiryWheel.secondOf(expiresAtMs), this.nextSecond);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(second, bucket);
    }
    bucket.add(item);
  }

  cancel(item: T, expiresAtMs: number): void {
    if (!Number.isFinite(expiresAtMs)) return;
    const second = Math.max(ExpiryWheel.secondOf(expiresAtMs), this.nextSecond);
    const bucket = this.buckets.get(second);
    if (!bucket?.delete(item)) return;
    if (bucket.size === 0) this.buckets.delete(second);
  }

  /** Expires everything due at `nowMs`; returns how many. Called by the tick (tests call it directly). */
  sweep(nowMs: number = this.now()): number {
    const due = Math.floor(nowMs / 1000);
    let expired = 0;
    // After a stall the loop walks the missed seconds; with no buckets it jumps straight on.
    for (let second = this.nextSecond; second <= due && this.buckets.size > 0; second += 1) {
      const bucket = this.buckets.get(second);
      if (!bucket) continue;
      this.buckets.delete(second);
      for (const item of bucket) {
        expired += 1;
        this.onExpire(item);
      }
    }
    this.nextSecond = Math.max(this.nextSecond, due + 1);
    return expired;
  }

  size(): number {
    let count = 0;
    for (const bucket of this.buckets.values()) count += bucket.size;
    return count;
  }

  /** Ticks just after every second's boundary, so an item expiring at second S goes at S (+ a few ms). */
  start(): void {
    if (this.timer) return;
    const arm = (): void => {
      this.timer = setTimeout(tick, 1000 - (this.now() % 1000) + 1);
      this.timer.unref();
    };
    const tick = (): void => {
      this.sweep();
      if (this.timer) arm();
    };
    arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
