import { readdirSync, readFileSync } from 'node:fs';
import { inboxMigration, outboxMigration, type Migration } from '@parley/kit';

const folder = new URL('./migrations/', import.meta.url);

/** This service's schema: the kit's outbox and inbox, then our SQL files in order. */
export const messagesMigrations: Migration[] = [
  outboxMigration,
  inboxMigration,
  ...readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ id: file.replace(/\.sql$/, ''), sql: readFileSync(new URL(file, folder), 'utf8') })),
];
