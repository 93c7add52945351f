import { badRequest, isUuid } from '@parley/kit';
import { listActivity as listActivityRows, type ActivityRow } from '../db/activity.repository.ts';
import type { AccountsContext } from './context.ts';

// A cursor carries a row's timestamp. Dates JavaScript accepts but PostgreSQL does not (year 0,
// six-digit years) can only come from a forged cursor; refused here instead of failing the query.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

const encodeCursor = (row: ActivityRow): string => Buffer.from(JSON.stringify([row.occurred_at.toISOString(), row.id])).toString('base64url');

function decodeCursor(cursor: string): { occurredAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const occurredAt = new Date(String(at));
    const time = occurredAt.getTime();
    if (typeof id !== 'string' || !isUuid(id) || !(time >= EARLIEST && time <= LATEST)) throw new Error('bad cursor');
    return { occurredAt, id };
  } catch {
    throw badRequest('The cursor is not valid.', { 'querystring.cursor': ['is not a cursor this API gave out'] });
  }
}

export async function listActivity(
  ctx: Pick<AccountsContext, 'db'>,
  userId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: ActivityRow[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor) : undefined;
  const rows = await listActivityRows(ctx.db, userId, page.limit + 1, after);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}
