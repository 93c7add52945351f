import { badRequest, notFound } from '@parley/kit';
import { listMessagePage, type MessageRowWithParts } from '../db/message.repository.ts';
import type { MessagesContext } from './context.ts';
import { assertMember, assertReader } from './membership.ts';

export interface MessagePage {
  items: MessageRowWithParts[];
  /** Pass it as `before` (newest-first pages) or `after` (oldest-first pages) for the next page; null at the end. */
  nextCursor: string | null;
}

/**
 * History of a conversation: `before` gives older messages newest first, `after` newer ones
 * oldest first (catching up after a reconnect), neither the newest page. Tombstones are
 * included so seqs stay gapless for the client.
 */
export async function listMessages(
  ctx: MessagesContext,
  userId: string,
  conversationId: string,
  page: { before?: number | undefined; after?: number | undefined; limit: number },
): Promise<MessagePage> {
  if (page.before !== undefined && page.after !== undefined) {
    throw badRequest('Use before or after, not both.', { 'querystring.after': ['cannot be combined with before'] });
  }
  const access = await assertReader(ctx, conversationId, userId);
  const bounds = { before: page.before, after: page.after, limit: page.limit + 1 };
  let rows = await listMessagePage(ctx.db, access, bounds, userId);
  if (rows === 'no conversation') {
    // A group whose row is not here yet (its group.created event still on the way): assertMember creates it.
    await assertMember(ctx, access.conversationId, userId);
    rows = await listMessagePage(ctx.db, access, bounds, userId);
  }
  if (!Array.isArray(rows)) throw notFound('conversation');
  const more = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows,
    nextCursor: more && last ? String(last.seq) : null,
  };
}
