export { CacheUnavailableError, createRedisCache, type RedisCacheOptions } from './redis-cache.ts';
export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.ts';
export { cached, type Cached, type CachedOptions, type CachedRead } from './cached.ts';
