export { createMemoryBus, topicMatches } from './memory-bus.ts';
export { createRabbitBus, type RabbitBusOptions } from './rabbit-bus.ts';
export {
  outboxMigration,
  enqueueEventMigration,
  enqueueEvents,
  makeEvent,
  outboxData,
  createOutboxRelay,
  type OutboxRelay,
  type NotifyOptions,
  type OutboxRelayOptions,
} from './outbox.ts';
export { inboxMigration, inboxRetentionMigration, claimEvent, handleOnce, pruneInbox, INBOX_RETENTION_DAYS } from './inbox.ts';
export { eventProducer, type ContractEvents, type Emit, type EmittedData, type EventProducer, type RelayWaker } from './events.ts';
export { defineQueue, subscribe, type Binding, type Delivery, type EventHandlerOf, type EventsBoundBy, type Queue } from './subscribe.ts';
export { eventsCleanUpJob, EVENTS_CLEAN_UP_JOB } from './clean-up.ts';
