import { callerOf, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import { z } from 'zod';
import type { AccountsContext } from '../domain/context.ts';
import { addContact, listContacts, removeContact } from '../domain/manage-contacts.ts';
import { presentPublicUser } from '../presenters/user.presenter.ts';
import { publicUserSchema, userIdParams } from './schemas.ts';

export function contactsRoutes(app: HttpServer, ctx: AccountsContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'contacts');

  app.get(
    '/api/v1/contacts',
    route.authenticated({ summary: 'Your contacts', response: { 200: z.object({ items: z.array(publicUserSchema) }) } }),
    async (request) => ({ items: (await listContacts(ctx, callerOf(request).userId)).map(presentPublicUser) }),
  );

  app.put(
    '/api/v1/contacts/:userId',
    route.authenticated({ summary: 'Add a contact (idempotent)', params: userIdParams, response: { 200: publicUserSchema } }),
    async (request) => presentPublicUser(await addContact(ctx, callerOf(request).userId, request.params.userId)),
  );

  app.delete('/api/v1/contacts/:userId', route.authenticated({ summary: 'Remove a contact', params: userIdParams }), async (request, reply) => {
    await removeContact(ctx, callerOf(request).userId, request.params.userId);
    return reply.code(204).send();
  });
}
