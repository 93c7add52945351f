export { createMessagesService, type MessagesDeps, type MessagesService } from './app.ts';
export { messagesConfigSchema, type MessagesConfig } from './config.ts';
export { messagesMigrations } from './db/migrations.ts';
export { messagesService } from './service.ts';
