import { badRequest, isUuid } from '@parley/kit';
import { listNotifications as listRows, type NotificationRow } from '../db/notification.repository.ts';
import type { NotificationsContext } from './context.ts';

/** Opaque to clients: the id of the last item of the page. */
const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) throw badRequest('The cursor is not valid.', { 'querystring.cursor': ['is not a cursor this API gave out'] });
  return id;
}

/** The caller's notifications, newest first, keyset-paginated. */
export async function listNotifications(
  ctx: Pick<NotificationsContext, 'db'>,
  userId: string,
  query: { unread: boolean; limit: number; cursor?: string | undefined },
): Promise<{ items: NotificationRow[]; nextCursor: string | null }> {
  const beforeId = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await listRows(ctx.db, userId, { unreadOnly: query.unread, limit: query.limit + 1, beforeId });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page,
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  };
}
