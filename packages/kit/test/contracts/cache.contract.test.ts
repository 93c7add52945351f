import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from '../../src/ports.ts';
import { createMemoryCache } from '../../src/cache/memory-cache.ts';
import { createTestCache } from '../../src/testing/adapters.ts';
import { adapterKinds, uniqueName } from '../../src/testing/infra.ts';

describe.each(adapterKinds())('Cache contract (%s)', (kind) => {
  // Every key of this run lives under one prefix, removed at the end.
  let cache: Cache;

  beforeAll(() => {
    cache = createTestCache(kind, uniqueName('parley_test_cache'));
  });

  afterAll(async () => {
    await cache.delPrefix('');
    await cache.close();
  });

  it('answers ping', async () => {
    expect(await cache.ping()).toBe(true);
  });

  it('gets what was set, and undefined for a missing key', async () => {
    await cache.set('user:1', { name: 'Ada', roles: ['admin'], age: 36, active: true }, 60);
    expect(await cache.get('user:1')).toEqual({ name: 'Ada', roles: ['admin'], age: 36, active: true });
    expect(await cache.get('user:missing')).toBeUndefined();
  });

  it('stores JSON: strings, numbers, null and arrays come back as they went in', async () => {
    await cache.set('json:string', 'text', 60);
    await cache.set('json:number', 42.5, 60);
    await cache.set('json:null', null, 60);
    await cache.set('json:array', [1, 'two'], 60);
    expect(await cache.getMany(['json:string', 'json:number', 'json:null', 'json:array'])).toEqual(['text', 42.5, null, [1, 'two']]);
  });

  it('overwrites a value on set', async () => {
    await cache.set('overwrite', 1, 60);
    await cache.set('overwrite', 2, 60);
    expect(await cache.get('overwrite')).toBe(2);
  });

  it('forgets a value once its TTL has passed', async () => {
    await cache.set('short', 'soon gone', 1);
    expect(await cache.get('short')).toBe('soon gone');
    await expect.poll(() => cache.get('short'), { timeout: 5_000, interval: 100 }).toBeUndefined();
  });

  it('gets many keys at once, in order, undefined where missing', async () => {
    await cache.set('many:a', 'A', 60);
    await cache.set('many:c', 'C', 60);
    expect(await cache.getMany(['many:a', 'many:b', 'many:c'])).toEqual(['A', undefined, 'C']);
    expect(await cache.getMany([])).toEqual([]);
  });

  it('sets many keys at once, each with the TTL', async () => {
    await cache.setMany<unknown>(
      [
        ['set-many:a', { n: 1 }],
        ['set-many:b', 'two'],
      ],
      60,
    );
    await cache.setMany([], 60);
    expect(await cache.getMany(['set-many:a', 'set-many:b'])).toEqual([{ n: 1 }, 'two']);
    await cache.setMany([['set-many:short', 'soon gone']], 1);
    expect(await cache.get('set-many:short')).toBe('soon gone');
    await expect.poll(() => cache.get('set-many:short'), { timeout: 5_000, interval: 100 }).toBeUndefined();
  });

  it('deletes keys', async () => {
    await cache.set('del:a', 1, 60);
    await cache.set('del:b', 2, 60);
    await cache.set('del:c', 3, 60);
    await cache.del('del:a', 'del:b', 'del:never-set');
    await cache.del();
    expect(await cache.getMany(['del:a', 'del:b', 'del:c'])).toEqual([undefined, undefined, 3]);
  });

  it('deletes every key with a prefix and only those', async () => {
    const keys = Array.from({ length: 1_200 }, (_, i) => `group:7:member:${i}`);
    for (const key of keys) await cache.set(key, true, 60);
    await cache.set('group:7', 'the group itself', 60);
    await cache.set('group:70:member:1', 'another group', 60);
    await cache.set('other:group:7:member:1', 'prefix elsewhere in the key', 60);

    await cache.delPrefix('group:7:');

    expect((await cache.getMany(keys)).every((value) => value === undefined)).toBe(true);
    expect(await cache.getMany(['group:7', 'group:70:member:1', 'other:group:7:member:1'])).toEqual([
      'the group itself',
      'another group',
      'prefix elsewhere in the key',
    ]);
  });

  it('treats glob characters in a prefix literally', async () => {
    await cache.set('glob:a*:1', 1, 60);
    await cache.set('glob:ab:1', 2, 60);
    await cache.set('glob:[a]:1', 3, 60);
    await cache.set('glob:a:1', 4, 60);
    await cache.delPrefix('glob:a*');
    await cache.delPrefix('glob:[a]');
    expect(await cache.getMany(['glob:a*:1', 'glob:ab:1', 'glob:[a]:1', 'glob:a:1'])).toEqual([undefined, 2, undefined, 4]);
  });

  it('increments a counter atomically, with the TTL set when it is created', async () => {
    const first = await cache.incr('rate:login:ada', 60);
    expect(first.value).toBe(1);
    expect(first.ttlSeconds).toBeGreaterThan(0);
    expect(first.ttlSeconds).toBeLessThanOrEqual(60);

    // A later, different TTL does not extend or shorten the window.
    const second = await cache.incr('rate:login:ada', 600);
    expect(second.value).toBe(2);
    expect(second.ttlSeconds).toBeLessThanOrEqual(60);

    const parallel = await Promise.all(Array.from({ length: 20 }, () => cache.incr('rate:login:ada', 60)));
    expect(parallel.map((result) => result.value).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect(await cache.get('rate:login:ada')).toBe(22);
  });

  it('starts a counter again once its window has expired', async () => {
    await cache.incr('rate:window', 1);
    expect((await cache.incr('rate:window', 1)).value).toBe(2);
    await expect.poll(() => cache.get('rate:window'), { timeout: 5_000, interval: 100 }).toBeUndefined();
    expect(await cache.incr('rate:window', 1)).toMatchObject({ value: 1 });
  });

  it('hands out copies: changing a value read or written does not change the cache', async () => {
    const profile = { name: 'Ada', tags: ['a'] };
    await cache.set('copy', profile, 60);
    profile.tags.push('changed after set');

    const read = await cache.get<{ name: string; tags: string[] }>('copy');
    expect(read).toEqual({ name: 'Ada', tags: ['a'] });
    read?.tags.push('changed after get');

    const [again] = await cache.getMany<{ name: string; tags: string[] }>(['copy']);
    expect(again).toEqual({ name: 'Ada', tags: ['a'] });
    expect(again).not.toBe(read);
  });
});

describe('memory cache', () => {
  it('evicts the least recently set keys past maxEntries', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.set('c', 3, 60);
    await cache.set('a', 10, 60); // a is now the most recently set
    await cache.set('d', 4, 60);
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([10, undefined, 3, 4]);
    await cache.close();
  });
});
