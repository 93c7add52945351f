import { readdirSync, readFileSync } from 'node:fs';
import { enqueueEventMigration, inboxMigration, inboxRetentionMigration, outboxMigration } from '../bus/index.ts';
import type { Migration } from '../ports.ts';

/**
 * A service's schema: the kit's outbox and inbox tables (with the outbox's enqueue_event() and the inbox's retention index), then the service's own `.sql` files
 * from `folder` in name order (`0001_…`, `0002_…`); each file's name is its migration id.
 */
export function serviceMigrations(folder: URL): Migration[] {
  return [
    outboxMigration,
    enqueueEventMigration,
    inboxMigration,
    inboxRetentionMigration,
    ...readdirSync(folder)
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => ({ id: file.replace(/\.sql$/, ''), sql: readFileSync(new URL(file, folder), 'utf8') })),
  ];
}
