import type { accountsV1 } from '@parley/contracts';
import { createLogger, createMemoryCache } from '@parley/kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWatchers, SECOND_DELETE_MS } from '../src/domain/watchers.ts';

const logger = createLogger('watchers-test', 'silent');
const key = (userId: string): string => `notifications:watchers:${userId}`;

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
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a list read before a contact change and stored after its invalidation is gone again SECOND_DELETE_MS later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
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
    // ...before the racing read stores its stale answer.
    accounts.releaseAll();
    expect(await reading).toEqual(['alice']);
    expect(await cache.get(key('bob'))).toEqual(['alice']);

    await vi.advanceTimersByTimeAsync(SECOND_DELETE_MS);
    expect(await cache.get(key('bob'))).toBeUndefined();
    const next = watchers.of('bob');
    await accounts.asked();
    accounts.releaseAll();
    expect(await next).toEqual([]);
  });

  it('close() cancels the pending second deletes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cache = createMemoryCache();
    const watchers = createWatchers({ accounts: fakeAccounts(new Map()).client, cache, logger });
    await watchers.invalidate('bob');
    await cache.set(key('bob'), ['carol'], 600);
    watchers.close();
    await vi.advanceTimersByTimeAsync(SECOND_DELETE_MS * 2);
    expect(await cache.get(key('bob'))).toEqual(['carol']);
  });
});
