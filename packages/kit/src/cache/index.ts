export { CacheUnavailableError, createRedisCache, type RedisCacheOptions } from './redis-cache.ts';
export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.ts';
