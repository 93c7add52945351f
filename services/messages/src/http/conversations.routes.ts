import { callerOf, isUuid, membershipId, presentPage, readAhead, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import type { MessagesContext } from '../domain/context.ts';
import { getConversation, listConversations } from '../domain/list-conversations.ts';
import { listMessages } from '../domain/list-messages.ts';
import { listMemberReadStates } from '../domain/list-read-states.ts';
import { markRead } from '../domain/mark-read.ts';
import { cachedMemberships, groupMemberLists } from '../domain/membership.ts';
import { openDirectConversation } from '../domain/open-direct-conversation.ts';
import { countSend, sendMessage } from '../domain/send-message.ts';
import { presentConversationSummary } from '../presenters/conversation.presenter.ts';
import { presentMessageWithParts } from '../presenters/message.presenter.ts';
import { presentReadState } from '../presenters/read-state.presenter.ts';
import {
  conversationPageSchema,
  conversationSchema,
  directBody,
  historyQuery,
  idParams,
  messagePageSchema,
  messageSchema,
  pageQuery,
  readBody,
  readStatesSchema,
  sendMessageBody,
} from './schemas.ts';

/** The conversation a `/conversations/:id/...` request names, lowercased; none for a malformed id (answered 404). */
const conversationIdOf = (request: { params: unknown }): string | undefined => {
  const { id } = request.params as { id?: unknown };
  return typeof id === 'string' && isUuid(id) ? id.toLowerCase() : undefined;
};

/** Read with the session when sending (one cache round trip for both): the sender's membership and the group's members. */
const sendersMembership = readAhead(cachedMemberships, (caller, request) => {
  const conversationId = conversationIdOf(request);
  return conversationId === undefined ? undefined : membershipId(conversationId, caller.userId);
});
const conversationsMembers = readAhead(groupMemberLists, (_caller, request) => conversationIdOf(request));

export function conversationsRoutes(app: HttpServer, ctx: MessagesContext, verify: TokenVerifier): void {
  const route = routeOpenings(verify, 'conversations');
  /** Each send's rate count, started with its session read (`alongside`): one Redis round trip for both. */
  const sendCounts = new WeakMap<object, Promise<void>>();

  app.post(
    '/api/v1/conversations/direct',
    route.authenticated({
      summary: 'Open the direct conversation with another user (201 the first time, 200 after; one per pair)',
      body: directBody,
      response: { 200: conversationSchema, 201: conversationSchema },
    }),
    async (request, reply) => {
      const { conversation, created } = await openDirectConversation(ctx, callerOf(request).userId, request.body.userId);
      return reply.code(created ? 201 : 200).send(presentConversationSummary(conversation));
    },
  );

  app.get(
    '/api/v1/conversations',
    route.authenticated({
      summary: 'Your chats, newest activity first, with last message and unread count',
      querystring: pageQuery,
      response: { 200: conversationPageSchema },
    }),
    async (request) => listConversations(ctx, callerOf(request).userId, request.query),
  );

  app.get(
    '/api/v1/conversations/:id',
    route.authenticated({ summary: 'One of your chats', params: idParams, response: { 200: conversationSchema } }),
    async (request) => presentConversationSummary(await getConversation(ctx, callerOf(request).userId, request.params.id)),
  );

  app.get(
    '/api/v1/conversations/:id/messages',
    route.authenticated({
      summary: 'History: ?before=<seq> newest first, ?after=<seq> oldest first, neither the newest page; nextCursor is the next before/after',
      params: idParams,
      querystring: historyQuery,
      response: { 200: messagePageSchema },
    }),
    async (request) => presentPage(await listMessages(ctx, callerOf(request).userId, request.params.id, request.query), presentMessageWithParts),
  );

  app.post(
    '/api/v1/conversations/:id/messages',
    route.authenticated(
      {
        summary: 'Send a message (201); the same clientMessageId again answers the first message (200)',
        params: idParams,
        body: sendMessageBody,
        response: { 200: messageSchema, 201: messageSchema },
      },
      {
        alsoRead: [sendersMembership, conversationsMembers],
        alongside: (caller, request) => sendCounts.set(request, countSend(ctx, caller.userId)),
      },
    ),
    async (request, reply) => {
      const reads = { membership: sendersMembership.from(request), members: conversationsMembers.from(request), count: sendCounts.get(request) };
      const { message, created } = await sendMessage(ctx, callerOf(request).userId, request.params.id, request.body, reads);
      return reply.code(created ? 201 : 200).send(message);
    },
  );

  app.get(
    '/api/v1/conversations/:id/reads',
    route.authenticated({
      summary: 'Members\' read positions (for "seen by"): each current member\'s lastReadSeq, 0 when nothing is marked read',
      params: idParams,
      response: { 200: readStatesSchema },
    }),
    async (request) => ({ items: (await listMemberReadStates(ctx, callerOf(request).userId, request.params.id)).map(presentReadState) }),
  );

  app.post(
    '/api/v1/conversations/:id/read',
    route.authenticated({ summary: 'Mark the conversation read up to seq (clamped; never moves backwards)', params: idParams, body: readBody }),
    async (request, reply) => {
      await markRead(ctx, callerOf(request).userId, request.params.id, request.body.seq);
      return reply.code(204).send();
    },
  );
}
