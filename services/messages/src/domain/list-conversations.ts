import { badRequest, notFound } from '@parley/kit';
import { existingConversationIds, listConversationSummaries } from '../db/conversation.repository.ts';
import { presentConversationSummary, type ConversationSummary } from '../presenters/conversation.presenter.ts';
import { loadConversationEntries, type ConversationEntry } from './conversation-entries.ts';
import type { MessagesContext } from './context.ts';
import { assertMember, ensureGroupConversation, memberConversationIds } from './membership.ts';
import { readRecent, writeRecent } from './recent-cache.ts';

export interface ConversationPage {
  items: ConversationSummary[];
  nextCursor: string | null;
}

/**
 * Events delete the entry; the TTL bounds how long a page computed while a message was being
 * committed (and stored just after that message's invalidation) could stay stale.
 */

const encodeCursor = (at: string, id: string): string => Buffer.from(JSON.stringify([at, id])).toString('base64url');

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at)) && /^[0-9a-f-]{36}$/i.test(id)) return { at, id };
  } catch {
    // fall through
  }
  throw badRequest('The cursor is not valid.', { 'querystring.cursor': ['is not a cursor this API gave out'] });
}

/**
 * The caller's chats, newest activity first, each with its title, last message and unread
 * count. The first page is cached per user (recent-cache.ts) until a message or read mark changes it.
 * The one use case that answers presented entries: its cache holds the answer as it goes out,
 * so a cached page is served without presenting it again.
 */
export async function listConversations(ctx: MessagesContext, userId: string, page: { limit: number; cursor?: string | undefined }): Promise<ConversationPage> {
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const recent = after ? undefined : await readRecent<ConversationPage>(ctx.cache, userId, page.limit);
  if (recent?.page) return recent.page;
  const ids = await memberConversationIds(ctx, userId);
  await createMissingGroupConversations(ctx, userId, ids);
  const rows = await listConversationSummaries(ctx.db, userId, ids, { limit: page.limit + 1, after });
  const more = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  const result: ConversationPage = {
    items: (await loadConversationEntries(ctx, userId, pageRows)).map(presentConversationSummary),
    nextCursor: more && last ? encodeCursor(new Date(last.activity_at).toISOString(), last.id) : null,
  };
  if (recent) await writeRecent(ctx.cache, userId, recent.read, { limit: page.limit, page: result });
  return result;
}

/** Groups whose conversation row does not exist yet (their group.created is still on its way). */
async function createMissingGroupConversations(ctx: MessagesContext, userId: string, ids: readonly string[]): Promise<void> {
  const groupIds = new Set(await ctx.groupsCache.userGroupIds(userId));
  const known = new Set((await existingConversationIds(ctx.db, ids)).map((c) => c.id));
  const missing = ids.filter((id) => groupIds.has(id) && !known.has(id));
  for (const id of missing) await ensureGroupConversation(ctx, id);
}

/** One conversation as the caller's chat list shows it. */
export async function getConversation(ctx: MessagesContext, userId: string, conversationId: string): Promise<ConversationEntry> {
  const access = await assertMember(ctx, conversationId, userId);
  const [row] = await listConversationSummaries(ctx.db, userId, [access.conversation.id], { limit: 1 });
  if (!row) throw notFound('conversation');
  const [entry] = await loadConversationEntries(ctx, userId, [row]);
  if (!entry) throw notFound('conversation');
  return entry;
}
