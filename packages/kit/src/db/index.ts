export { createPostgresDb } from './postgres.ts';
export { createPgliteDb } from './pglite.ts';
export { migrate, splitStatements } from './migrate.ts';
export { serviceMigrations } from './sql-migrations.ts';
