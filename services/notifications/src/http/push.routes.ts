import { callerOf, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { subscribePush } from '../domain/subscribe-push.ts';
import { unsubscribePush } from '../domain/unsubscribe-push.ts';
import { presentPushSubscription } from '../presenters/push-subscription.presenter.ts';
import { pushSubscriptionBody, pushSubscriptionSchema, unsubscribeBody, vapidPublicKeySchema } from './schemas.ts';

export function pushRoutes(app: HttpServer, ctx: NotificationsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'push');

  app.get(
    '/api/v1/push/vapid-public-key',
    route.authenticated({ summary: 'The applicationServerKey for pushManager.subscribe()', response: { 200: vapidPublicKeySchema } }),
    async () => ({ publicKey: ctx.vapid.publicKey }),
  );

  app.post(
    '/api/v1/push/subscriptions',
    route.authenticated({
      summary: 'Register a browser push subscription (PushSubscription.toJSON())',
      body: pushSubscriptionBody,
      response: { 200: pushSubscriptionSchema, 201: pushSubscriptionSchema },
    }),
    async (request, reply) => {
      const { subscription, created } = await subscribePush(ctx, callerOf(request).userId, request.body);
      return reply.code(created ? 201 : 200).send(presentPushSubscription(subscription));
    },
  );

  app.delete(
    '/api/v1/push/subscriptions',
    route.authenticated({ summary: 'Remove a push subscription by its endpoint', body: unsubscribeBody }),
    async (request, reply) => {
      await unsubscribePush(ctx, callerOf(request).userId, request.body.endpoint);
      return reply.code(204).send();
    },
  );
}
