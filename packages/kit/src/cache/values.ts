/** What both cache adapters agree on, so the embedded one behaves exactly like Redis. */

/** Whole seconds, at least one, as Redis EX takes them. */
export function wholeSeconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
  return Math.max(1, Math.ceil(ttlSeconds));
}

/** Values are stored as JSON; undefined and functions have none, so they are refused. */
export function serialize(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('cache values must be JSON-serialisable (not undefined or a function)');
  return json;
}
