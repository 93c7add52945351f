import { messageSchema } from '@parley/contracts';
import { callerOf, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import { z } from 'zod';
import type { MessagesContext } from '../domain/context.ts';
import { searchMessages } from '../domain/search-messages.ts';
import { presentSearchPage } from '../presenters/search-hit.presenter.ts';

/** Text PostgreSQL can take: it refuses NUL, and unpaired surrogates are not text. */
// eslint-disable-next-line no-control-regex
const text = () => z.string().regex(/^[^\u0000\p{Cs}]*$/u, 'must not contain NUL characters or unpaired surrogates');

/** An ISO-8601 instant (`2025-05-01T12:00:00Z`, with any offset) or a date (`2025-05-01`, midnight UTC). */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a valid date');

export const searchMessagesQuery = z.object({
  q: text().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  conversationId: z.uuid().optional(),
  senderId: z.uuid().optional(),
  before: instant.optional(),
  after: instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const searchHitSchema = z.object({
  message: messageSchema,
  /** HTML: the message text escaped, with <mark>…</mark> around what matched. */
  snippet: z.string(),
  conversationId: z.string(),
});

export async function searchRoutes(app: HttpServer, ctx: MessagesContext, verify: TokenVerifier): Promise<void> {
  const route = routeOpenings(verify, 'search');

  app.get(
    '/api/v1/search/messages',
    route.authenticated({
      summary: 'Search messages in your conversations (Russian and English stemming, partial words), newest first',
      description:
        'q: 1–200 characters; words are matched in any inflection ("отчёт" finds "отчёты", "meeting" finds "meetings"), ' +
        '"quoted phrases", -excluded words and OR are understood; 3 characters or more also match inside words. ' +
        'before/after: ISO-8601 instants or dates. snippet is HTML with <mark> around the matches, everything else escaped.',
      querystring: searchMessagesQuery,
      response: { 200: z.object({ items: z.array(searchHitSchema), nextCursor: z.string().nullable() }) },
    }),
    async (request) => presentSearchPage(await searchMessages(ctx, callerOf(request).userId, request.query)),
  );
}
