import { serviceMigrations } from '@parley/kit';

/** This service's schema: the kit's outbox and inbox, then migrations/*.sql in order. */
export const accountsMigrations = serviceMigrations(new URL('./migrations/', import.meta.url));
