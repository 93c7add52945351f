export { createRateLimiter, type Count, type RateLimiter, type RateLimiterOptions } from './rate-limiter.ts';
