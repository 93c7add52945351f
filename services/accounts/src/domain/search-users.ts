import { searchUsers as searchUserRows, type UserRow } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';

/** Prefix and fuzzy (trigram) match on username and display name. */
export const searchUsers = (ctx: Pick<AccountsContext, 'db'>, query: string, limit: number): Promise<UserRow[]> =>
  searchUserRows(ctx.db, query.trim(), limit);
