import { badRequest, isUuid, notFound, type Queryable } from '@parley/kit';
import { findConversationFor } from '../db/conversation.repository.ts';
import { searchStep, SMALL_SCOPE_CONVERSATIONS, type SearchFilters, type SearchHitRow, type SearchScope } from '../db/search.repository.ts';
import type { MessagesContext } from './context.ts';

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

/** A page of hits, newest first, with the query they matched (their snippets mark it). */
export interface SearchPage {
  hits: SearchHitRow[];
  query: string;
  nextCursor: string | null;
}

type SearchDeps = Pick<MessagesContext, 'db' | 'cache' | 'groupsCache' | 'config' | 'logger' | 'outbox'>;

/**
 * Messages matching q in conversations the caller belongs to right now (asked at query time,
 * so a member removed from a group stops finding its messages), newest first, a page at a time.
 * A conversationId the caller is not in answers 404, as for one that does not exist.
 */
export async function searchMessages(ctx: SearchDeps, userId: string, input: SearchMessagesInput): Promise<SearchPage> {
  const afterMessageId = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  let scope: SearchScope;
  const groupIds = await ctx.groupsCache.userGroupIds(userId);
  if (input.conversationId !== undefined) {
    // Membership by the same answers as the whole scope's (the cached group list, direct
    // members), so both agree the moment a removal is known. Not a member, unknown, deleted: 404 alike.
    const id = input.conversationId.toLowerCase();
    const row = await findConversationFor(ctx.db, id, userId);
    const member = row ? row.deleted_at === null && (row.direct_member || groupIds.includes(id)) : groupIds.includes(id);
    if (!member) throw notFound('conversation');
    scope = { conversationId: id };
  } else {
    scope = { userId, groupIds };
  }
  const filters: SearchFilters = {
    query: input.q,
    senderId: input.senderId,
    before: input.before,
    after: input.after,
    afterMessageId,
    // One more than the page: whether there is a next one.
    limit: input.limit + 1,
  };
  const rows = await findHits(ctx.db, ctx.config.SEARCH_RECENT_WINDOW, scope, filters, userId, ctx.config.SEARCH_SMALL_SCOPE);
  const hits = rows.slice(0, input.limit);
  const last = hits.at(-1);
  return { hits, query: input.q, nextCursor: rows.length > input.limit && last ? encodeCursor(last.id) : null };
}

/** At most this many rows in the second, wider walk; a word rarer than that is the text indexes' job. */
const MAX_WIDER_WALK = 20_000;
/**
 * A first walk that found at least this many hits (without filling the page) saw a word common
 * enough for walking on to beat fetching all its matches from the text indexes, whose cost grows
 * with the word's count in the whole table: 3 in the default window of 800 is 0.4 %.
 */
const MIN_HITS_TO_WALK_ON = 3;

/**
 * The newest filters.limit hits, exact (db/search.repository.ts): a walk over the newest
 * messages, the text indexes below it for a rare word; for a word neither rare nor common enough
 * to fill the page in the first walk, a second walk sized by the density the first one saw (and
 * the indexes below that, should it still fall short). A small scope (one conversation, or at
 * most smallScope) walks its conversations each, and goes to the indexes, ANDed with its
 * conversations, whenever that walk falls short: one statement.
 */
export async function findHits(
  db: Queryable,
  window: number,
  scope: SearchScope,
  filters: SearchFilters,
  viewerId: string,
  smallScope: number = SMALL_SCOPE_CONVERSATIONS,
): Promise<SearchHitRow[]> {
  const first = await searchStep(db, scope, filters, viewerId, window, MIN_HITS_TO_WALK_ON, smallScope);
  if (first.complete || !first.edgeId) return first.hits;
  const missing = filters.limit - first.hits.length;
  const wider = Math.min(MAX_WIDER_WALK, Math.ceil(((missing * first.examined) / first.hits.length) * 1.5));
  // Below the first walk's oldest message, which serves as the cursor.
  const second = await searchStep(db, scope, { ...filters, limit: missing, afterMessageId: first.edgeId }, viewerId, wider, missing, smallScope);
  return [...first.hits, ...second.hits];
}

/** Opaque to clients: the last hit's message id. */
const encodeCursor = (messageId: string): string => Buffer.from(`m:${messageId}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('m:') ? decoded.slice(2) : '';
  if (!isUuid(id)) throw badRequest('The cursor is not valid.', { 'query.cursor': ['is not a cursor this search returned'] });
  return id;
}
