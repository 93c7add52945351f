export { createBullmqJobs, type BullmqJobsOptions } from './bullmq-jobs.ts';
export { createMemoryJobs, type MemoryJobsOptions } from './memory-jobs.ts';
