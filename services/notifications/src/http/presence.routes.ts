import { requireAuth, type HttpServer, type TokenVerifier } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { presenceOfUsers } from '../domain/presence-of-users.ts';
import { presenceQuery, presenceSchema } from './schemas.ts';

export function presenceRoutes(app: HttpServer, ctx: NotificationsContext, verify: TokenVerifier): void {
  app.get(
    '/api/v1/presence',
    {
      onRequest: requireAuth(verify),
      schema: {
        tags: ['presence'],
        security: [{ bearer: [] }],
        summary: 'Who of these users (?userIds=a,b,...) is connected now; `presence` frames carry the changes',
        querystring: presenceQuery,
        response: { 200: presenceSchema },
      },
    },
    async (request) => ({ items: await presenceOfUsers(ctx, request.query.userIds) }),
  );
}
