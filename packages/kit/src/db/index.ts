export { createPostgresDb } from './postgres.ts';
export { createPgliteDb } from './pglite.ts';
export { createSharedPglite, type SharedPglite } from './shared-pglite.ts';
export { EmbeddedDataError, importLegacyPglite, legacyFolder, type LegacyImport } from './legacy-pglite.ts';
export { applyMigrations, migrate, splitStatements } from './migrate.ts';
export { serviceMigrations } from './sql-migrations.ts';
