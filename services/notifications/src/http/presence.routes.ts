import { routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { presenceOfUsers } from '../domain/presence-of-users.ts';
import { presenceQuery, presenceSchema } from './schemas.ts';

export function presenceRoutes(app: HttpServer, ctx: NotificationsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'presence');

  app.get(
    '/api/v1/presence',
    route.authenticated({
      summary: 'What others see of these users (?userIds=a,b,...): their chosen status while connected, offline otherwise',
      description:
        'The one record of presence: `presence` frames carry its changes, and public profiles (`status` of GET /api/v1/users/:id, ' +
        'user search, contacts) show the same value moments later. Answers 503 with Retry-After while presence is paused ' +
        '(Redis unavailable); profiles keep the last known value meanwhile. See docs/presence.md.',
      querystring: presenceQuery,
      response: { 200: presenceSchema },
    }),
    async (request) => ({ items: await presenceOfUsers(ctx, request.query.userIds) }),
  );
}
