export { createBullmqJobs, type BullmqJobsOptions } from './bullmq-jobs.ts';
export { createMemoryJobs, type MemoryJobsOptions } from './memory-jobs.ts';
export { every, type Every, type EveryOptions } from './every.ts';
export { startJobs, startJobsWhenReady, type PeriodicJob, type StartJobsOptions } from './periodic.ts';
