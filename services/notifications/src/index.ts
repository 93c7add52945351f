export { createNotificationsService, type NotificationsDeps, type NotificationsService } from './app.ts';
export { notificationsConfigSchema, type NotificationsConfig } from './config.ts';
export { notificationsMigrations } from './db/migrations.ts';
export { notificationsService } from './service.ts';
