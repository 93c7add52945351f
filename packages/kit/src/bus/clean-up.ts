import type { PeriodicJob } from '../jobs/periodic.ts';
import type { Db } from '../ports.ts';
import { pruneInbox } from './inbox.ts';
import { OUTBOX_RETENTION_MS, purgePublishedEvents } from './outbox.ts';

export const EVENTS_CLEAN_UP_JOB = 'events.clean_up';
const CLEAN_UP_EVERY_MS = 60 * 60 * 1000;

/**
 * The hourly clean-up of a service's event tables: published outbox events older than
 * OUTBOX_RETENTION_MS and inbox entries older than INBOX_RETENTION_DAYS. Every service that runs
 * an outbox relay schedules it with its other periodic jobs (startJobs): once an hour across its
 * instances, not once per relay.
 */
export function eventsCleanUpJob(db: Db): PeriodicJob {
  return {
    name: EVENTS_CLEAN_UP_JOB,
    everyMs: CLEAN_UP_EVERY_MS,
    async run() {
      await purgePublishedEvents(db, new Date(Date.now() - OUTBOX_RETENTION_MS));
      await pruneInbox(db);
    },
  };
}
