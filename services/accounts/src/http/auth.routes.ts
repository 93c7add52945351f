import { callerOf, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import { z } from 'zod';
import type { AccountsContext } from '../domain/context.ts';
import { listSessions } from '../domain/list-sessions.ts';
import { logIn } from '../domain/log-in.ts';
import { refreshSession } from '../domain/refresh-session.ts';
import { registerUser } from '../domain/register-user.ts';
import { revokeOwnSession, revokeSessions } from '../domain/revoke-sessions.ts';
import { presentMe, presentSession } from '../presenters/user.presenter.ts';
import { clientInfoOf } from './client-info.ts';
import { authAnswer, idParams, loginBody, refreshBody, registerBody, sessionSchema, tokenPairAnswer } from './schemas.ts';

export function authRoutes(app: HttpServer, ctx: AccountsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'auth');

  app.post(
    '/api/v1/auth/register',
    route.open({ summary: 'Create an account and sign in', body: registerBody, response: { 201: authAnswer } }),
    async (request, reply) => {
      const { user, ...pair } = await registerUser(ctx, request.body, clientInfoOf(request));
      return reply.code(201).send({ user: presentMe(user), ...pair });
    },
  );

  app.post('/api/v1/auth/login', route.open({ summary: 'Sign in by username or email', body: loginBody, response: { 200: authAnswer } }), async (request) => {
    const { user, ...pair } = await logIn(ctx, request.body, clientInfoOf(request));
    return { user: presentMe(user), ...pair };
  });

  app.post(
    '/api/v1/auth/refresh',
    route.open({ summary: 'Rotate the refresh token for a new pair', body: refreshBody, response: { 200: tokenPairAnswer } }),
    async (request) => refreshSession(ctx, request.body.refreshToken, clientInfoOf(request)),
  );

  app.post('/api/v1/auth/logout', route.authenticated({ summary: 'End this session' }), async (request, reply) => {
    const caller = callerOf(request);
    await revokeSessions(ctx, caller.userId, [caller.sessionId], 'logout');
    return reply.code(204).send();
  });

  app.get(
    '/api/v1/auth/sessions',
    route.authenticated({ summary: "The caller's live sessions", response: { 200: z.object({ items: z.array(sessionSchema) }) } }),
    async (request) => {
      const caller = callerOf(request);
      const sessions = await listSessions(ctx, caller.userId);
      return { items: sessions.map((s) => presentSession(s, caller.sessionId)) };
    },
  );

  app.delete('/api/v1/auth/sessions/:id', route.authenticated({ summary: 'End one of your sessions', params: idParams }), async (request, reply) => {
    await revokeOwnSession(ctx, callerOf(request).userId, request.params.id);
    return reply.code(204).send();
  });

  app.get('/.well-known/jwks.json', route.open({ summary: 'Public keys that sign access tokens' }), async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return ctx.tokens.jwks;
  });
}
