export { createRedisPubSub, type RedisPubSubOptions } from './redis-pubsub.ts';
export { createMemoryPubSub, type MemoryPubSubOptions } from './memory-pubsub.ts';
