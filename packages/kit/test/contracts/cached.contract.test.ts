import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cached } from '../../src/cache/cached.ts';
import type { Cache } from '../../src/ports.ts';
import { createTestCache } from '../../src/testing/adapters.ts';
import { adapterKinds, uniqueName } from '../../src/testing/infra.ts';

/** The cache-aside primitive over both cache adapters: hits, misses, and the stale write-back race. */
describe.each(adapterKinds())('cached() cache-aside (%s)', (kind) => {
  let cache: Cache;

  beforeAll(() => {
    cache = createTestCache(kind, uniqueName('parley_test_cached'));
  });

  afterAll(async () => {
    await cache.delPrefix('');
    await cache.close();
  });

  it('loads a miss once, then answers from the cache', async () => {
    const users = cached<{ name: string }>({ name: 'test:users', ttlSeconds: 60 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { name: 'Ada' };
    };
    expect(await users.get(cache, 'u1', load)).toEqual({ name: 'Ada' });
    expect(await users.get(cache, 'u1', load)).toEqual({ name: 'Ada' });
    expect(loads).toBe(1);
  });

  it('does not cache what the loader does not find', async () => {
    const users = cached<string>({ name: 'test:unknown', ttlSeconds: 60 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return undefined;
    };
    expect(await users.get(cache, 'nobody', load)).toBeUndefined();
    expect(await users.get(cache, 'nobody', load)).toBeUndefined();
    expect(loads).toBe(2);
  });

  it('answers many ids in the order of a map, loading only the missing ones', async () => {
    const groups = cached<number>({ name: 'test:many', ttlSeconds: 60 });
    await groups.getMany(cache, ['a'], async () => [['a', 1]]);
    const asked: string[][] = [];
    const found = await groups.getMany(cache, ['a', 'b', 'c', 'b'], async (missing) => {
      asked.push(missing);
      return [['b', 2]];
    });
    expect(asked).toEqual([['b', 'c']]);
    expect([...found]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect((await groups.read(cache, ['b', 'c'])).map((r) => r.value)).toEqual([2, undefined]);
  });

  it('reads again after an invalidation', async () => {
    const users = cached<string>({ name: 'test:invalidate', ttlSeconds: 60 });
    await users.get(cache, 'u1', async () => 'old');
    await users.invalidate(cache, ['u1']);
    expect(await users.get(cache, 'u1', async () => 'new')).toBe('new');
    expect(await users.get(cache, 'u1', async () => 'newer')).toBe('new');
  });

  it('never serves a value loaded before an invalidation and written back after it', async () => {
    const users = cached<string>({ name: 'test:race', ttlSeconds: 60 });
    await users.get(cache, 'u1', async () => 'v1');
    await users.invalidate(cache, ['u1']);
    // A reader misses and loads the old row...
    let release!: () => void;
    const loading = new Promise<void>((resolve) => (release = resolve));
    let loaded!: () => void;
    const loadStarted = new Promise<void>((resolve) => (loaded = resolve));
    const reader = users.get(cache, 'u1', async () => {
      loaded();
      await loading;
      return 'v1 (stale)';
    });
    await loadStarted;
    // ...a writer commits v2 and invalidates...
    await users.invalidate(cache, ['u1']);
    // ...and only then does the reader write its stale value back.
    release();
    expect(await reader).toBe('v1 (stale)');
    expect((await users.read(cache, ['u1']))[0]!.value).toBeUndefined();
    expect(await users.get(cache, 'u1', async () => 'v2')).toBe('v2');
  });

  it('the same race through read() and write(), for reads taken with other keys in one round trip', async () => {
    const members = cached<string[]>({ name: 'test:race-manual', ttlSeconds: 60 });
    const before = members.decode(await cache.getMany(members.readKeys('g1')));
    expect(before.value).toBeUndefined();
    await members.invalidate(cache, ['g1']);
    await members.write(cache, [{ id: 'g1', value: ['stale'], read: before }]);
    expect((await members.read(cache, ['g1']))[0]!.value).toBeUndefined();
    const fresh = (await members.read(cache, ['g1']))[0]!;
    await members.write(cache, [{ id: 'g1', value: ['fresh'], read: fresh }]);
    expect((await members.read(cache, ['g1']))[0]!.value).toEqual(['fresh']);
  });

  it('invalidates many ids at once, duplicates and all', async () => {
    const users = cached<number>({ name: 'test:bulk', ttlSeconds: 60 });
    const ids = Array.from({ length: 1500 }, (_, i) => `u${i}`);
    await users.getMany(cache, ids, async (missing) => missing.map((id) => [id, 1] as const));
    await users.invalidate(cache, [...ids, 'u1']);
    expect((await users.read(cache, ids)).filter((r) => r.value !== undefined)).toHaveLength(0);
  });

  it('an immutable thing reads its entry alone (no generation) and refuses to be invalidated', async () => {
    const members = cached<true>({ name: 'test:immutable', ttlSeconds: 60, immutable: true });
    expect(members.readKeys('d1')).toEqual([members.key('d1')]);
    await members.put(cache, 'd1', true);
    expect((await members.read(cache, ['d1', 'd2'])).map((r) => r.value)).toEqual([true, undefined]);
    await expect(members.invalidate(cache, ['d1'])).rejects.toThrow(/immutable/);
  });

  it('keys are spelt in one place', () => {
    const users = cached<number>({ name: 'svc:users', ttlSeconds: 60 });
    expect(users.key('42')).toBe('svc:users:c:42');
    expect(users.readKeys('42')).toEqual(['svc:users:c:42', 'gen:svc:users:42']);
  });
});
