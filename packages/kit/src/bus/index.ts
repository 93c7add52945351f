export { createMemoryBus, topicMatches } from './memory-bus.ts';
export { createRabbitBus, type RabbitBusOptions } from './rabbit-bus.ts';
export {
  outboxMigration,
  enqueueEvents,
  makeEvent,
  outboxData,
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
} from './outbox.ts';
export { inboxMigration, inboxRetentionMigration, handleOnce, pruneInbox, INBOX_RETENTION_DAYS } from './inbox.ts';
export { parseEventOrLog } from './parse-event.ts';
export { eventsCleanUpJob, EVENTS_CLEAN_UP_JOB } from './clean-up.ts';
