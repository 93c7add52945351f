import { badRequest, isUuid, notFound } from '@parley/kit';
import { searchMessages as searchMessageRows } from '../data/search.repository.ts';
import type { MessageView } from '../presenters/message.presenter.ts';
import { memberConversationIds } from './membership.ts';
import { viewMessages } from './message-views.ts';
import { buildSnippet } from './search-snippet.ts';

export interface SearchMessagesInput {
  /** 1–200 characters, trimmed (the route checks). */
  q: string;
  conversationId?: string | undefined;
  senderId?: string | undefined;
  /** Only messages sent before / after these instants. */
  before?: Date | undefined;
  after?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface SearchHit {
  message: MessageView;
  /** HTML: the escaped text with <mark>…</mark> around the matches. */
  snippet: string;
  conversationId: string;
}

type SearchDeps = Parameters<typeof memberConversationIds>[0];

/**
 * Messages matching q in conversations the caller belongs to right now (asked at query time,
 * so a member removed from a group stops finding its messages), newest first, a page at a time.
 * A conversationId the caller is not in answers 404, as for one that does not exist.
 */
export async function searchMessages(
  ctx: SearchDeps,
  userId: string,
  input: SearchMessagesInput,
): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
  const afterMessageId = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const memberOf = await memberConversationIds(ctx, userId);
  let conversationIds = memberOf;
  if (input.conversationId !== undefined) {
    const wanted = input.conversationId.toLowerCase();
    if (!memberOf.includes(wanted)) throw notFound('conversation');
    conversationIds = [wanted];
  }
  const rows = await searchMessageRows(
    ctx.db,
    { userId, conversationIds },
    { query: input.q, senderId: input.senderId, before: input.before, after: input.after, afterMessageId, limit: input.limit },
  );
  const page = rows.slice(0, input.limit);
  const messages = await viewMessages(ctx, page, userId);
  const items = page.map((row, index) => ({
    message: messages[index]!,
    snippet: buildSnippet(row.body, input.q, row.headline),
    conversationId: row.conversation_id,
  }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last.id) : null };
}

/** Opaque to clients: the last hit's message id. */
const encodeCursor = (messageId: string): string => Buffer.from(`m:${messageId}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('m:') ? decoded.slice(2) : '';
  if (!isUuid(id)) throw badRequest('The cursor is not valid.', { 'query.cursor': ['is not a cursor this search returned'] });
  return id;
}
