/**
 * Runs tasks with the same key one after another (in call order) and tasks with different keys
 * concurrently: a consumer with a prefetch above one keeps the events of one conversation (or
 * one group) in the order they were consumed, while a slow key does not hold up the others.
 */
export function createKeyedSerial(): <T>(key: string | undefined, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string | undefined, task: () => Promise<T>): Promise<T> => {
    if (key === undefined) return task();
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
