/** Items that arrive over time, and a promise for the moment there are `count` of them (an event to wait on, not a poll). */
export class Arrivals<T> {
  readonly items: T[] = [];
  private readonly waiting: { count: number; resolve: () => void }[] = [];
  push(item: T): void {
    this.items.push(item);
    for (const waiter of this.waiting.filter((w) => this.items.length >= w.count)) waiter.resolve();
  }
  reached(count: number): Promise<void> {
    if (this.items.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ count, resolve }));
  }
}
