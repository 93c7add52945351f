import type { accountsV1 } from '@parley/contracts';
import { createLogger, createMemoryCache } from '@parley/kit';
import { currentEntry } from '@parley/kit/testing';
import { describe, expect, it } from 'vitest';
import { createWatchers, watcherLists } from '../src/domain/watchers.ts';

const logger = createLogger('watchers-test', 'silent');

/** accounts' ListContactOf, answering what `contactOf` holds when asked, once `release` is called. */
function fakeAccounts(contactOf: Map<string, string[]>) {
  const pending: (() => void)[] = [];
  const client = {
    listContactOf(request: { userId: string }, _metadata: unknown, _options: unknown, callback: (error: null, response: { userIds: string[] }) => void) {
      const answer = [...(contactOf.get(request.userId) ?? [])];
      pending.push(() => callback(null, { userIds: answer }));
    },
  } as unknown as accountsV1.UsersClient;
  return {
    client,
    /** Resolves once a question is waiting (setImmediate is not faked here). */
    async asked(): Promise<void> {
      while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    },
    releaseAll: () => pending.splice(0).forEach((answer) => answer()),
  };
}

describe('watchers cache', () => {
  it('a list read before a contact change and written back after its invalidation is never served', async () => {
    const cache = createMemoryCache();
    const contactOf = new Map([['bob', ['alice']]]);
    const accounts = fakeAccounts(contactOf);
    const watchers = createWatchers({ accounts: accounts.client, cache, logger });

    // A presence fan-out asks accounts who watches bob; accounts answers "alice" (still true then).
    const reading = watchers.of('bob');
    await accounts.asked();
    // alice removes bob: accounts commits, and the contact.removed consumer invalidates...
    contactOf.set('bob', []);
    await watchers.invalidate('bob');
    // ...before the racing read writes its stale answer back.
    accounts.releaseAll();
    expect(await reading).toEqual(['alice']);
    expect(await currentEntry(cache, watcherLists, 'bob')).toBeUndefined();
    const next = watchers.of('bob');
    await accounts.asked();
    accounts.releaseAll();
    expect(await next).toEqual([]);
  });

  it('answers from the cache until invalidated', async () => {
    const cache = createMemoryCache();
    const contactOf = new Map([['bob', ['alice']]]);
    const accounts = fakeAccounts(contactOf);
    const watchers = createWatchers({ accounts: accounts.client, cache, logger });
    const first = watchers.of('bob');
    await accounts.asked();
    accounts.releaseAll();
    expect(await first).toEqual(['alice']);
    contactOf.set('bob', ['alice', 'carol']);
    expect(await watchers.of('bob')).toEqual(['alice']);
    await watchers.invalidate('bob');
    const again = watchers.of('bob');
    await accounts.asked();
    accounts.releaseAll();
    expect(await again).toEqual(['alice', 'carol']);
  });
});
