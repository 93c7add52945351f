export { createGroupsService, type GroupsDeps, type GroupsService } from './app.ts';
export { groupsConfigSchema, type GroupsConfig } from './config.ts';
export { groupsMigrations } from './db/migrations.ts';
export { groupsService } from './service.ts';
