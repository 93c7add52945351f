export { createAccountsService, type AccountsDeps, type AccountsService } from './app.ts';
export { accountsConfigSchema, type AccountsConfig } from './config.ts';
export { accountsMigrations } from './db/migrations.ts';
export { accountsService } from './service.ts';
