import { callerOf, presentPage, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { listNotifications } from '../domain/list-notifications.ts';
import { markNotificationsRead } from '../domain/mark-notifications-read.ts';
import { getConversationSettings, setConversationMuted } from '../domain/set-conversation-muted.ts';
import { presentNotification } from '../presenters/notification.presenter.ts';
import { conversationParams, conversationSettingsSchema, listNotificationsQuery, markReadBody, muteBody, notificationPage } from './schemas.ts';

export function notificationsRoutes(app: HttpServer, ctx: NotificationsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'notifications');

  app.get(
    '/api/v1/notifications',
    route.authenticated({ summary: 'Your notifications, newest first', querystring: listNotificationsQuery, response: { 200: notificationPage } }),
    async (request) => presentPage(await listNotifications(ctx, callerOf(request).userId, request.query), presentNotification),
  );

  app.post(
    '/api/v1/notifications/read',
    route.authenticated({ summary: 'Mark notifications read: {ids} or {all: true}', body: markReadBody }),
    async (request, reply) => {
      await markNotificationsRead(ctx, callerOf(request).userId, request.body);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/notifications/settings/conversations/:id',
    route.authenticated({
      summary: 'Your notification settings for a conversation',
      params: conversationParams,
      response: { 200: conversationSettingsSchema },
    }),
    async (request) => getConversationSettings(ctx, callerOf(request).userId, request.params.id),
  );

  app.put(
    '/api/v1/notifications/settings/conversations/:id',
    route.authenticated({
      summary: 'Mute or unmute a conversation (muted: no notifications, no pushes)',
      params: conversationParams,
      body: muteBody,
      response: { 200: conversationSettingsSchema },
    }),
    async (request) => setConversationMuted(ctx, callerOf(request).userId, request.params.id, request.body.muted),
  );
}
