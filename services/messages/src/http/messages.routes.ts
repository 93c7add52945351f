import { callerOf, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import { addReaction } from '../domain/add-reaction.ts';
import type { MessagesContext } from '../domain/context.ts';
import { deleteMessage } from '../domain/delete-message.ts';
import { editMessage } from '../domain/edit-message.ts';
import { removeReaction } from '../domain/remove-reaction.ts';
import { presentMessageWithParts } from '../presenters/message.presenter.ts';
import { editMessageBody, idParams, messageSchema, reactionParams } from './schemas.ts';

export function messagesRoutes(app: HttpServer, ctx: MessagesContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'messages');

  app.patch(
    '/api/v1/messages/:id',
    route.authenticated({
      summary: 'Edit your message (the author only; 409 once deleted)',
      params: idParams,
      body: editMessageBody,
      response: { 200: messageSchema },
    }),
    async (request) => presentMessageWithParts(await editMessage(ctx, callerOf(request).userId, request.params.id, request.body.body)),
  );

  app.delete(
    '/api/v1/messages/:id',
    route.authenticated({ summary: 'Delete a message, leaving a tombstone (the author, or a group admin or owner)', params: idParams }),
    async (request, reply) => {
      await deleteMessage(ctx, callerOf(request).userId, request.params.id);
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/v1/messages/:id/reactions/:emoji',
    route.authenticated({ summary: 'React with an emoji (idempotent)', params: reactionParams }),
    async (request, reply) => {
      await addReaction(ctx, callerOf(request).userId, request.params.id, request.params.emoji);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/messages/:id/reactions/:emoji',
    route.authenticated({ summary: 'Take back your reaction (idempotent)', params: reactionParams }),
    async (request, reply) => {
      await removeReaction(ctx, callerOf(request).userId, request.params.id, request.params.emoji);
      return reply.code(204).send();
    },
  );
}
