import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts `act(n)` for n = 0, 1, ... at `rate` per second (open loop: a slow answer does not
 * delay the next start), until `total` have started or `until()` answers true; resolves when
 * every started act has ended.
 */
export async function paced(rate: number, total: number, act: (n: number) => Promise<void>, until?: () => boolean): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const startedAt = performance.now();
  for (let n = 0; n < total && !until?.(); n += 1) {
    const wait = startedAt + (n * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const acting = act(n).finally(() => inFlight.delete(acting));
    inFlight.add(acting);
  }
  await Promise.all(inFlight);
}
