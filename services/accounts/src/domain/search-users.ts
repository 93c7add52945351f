import { searchUsers as searchUserRows, type UserRow } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';

/**
 * Prefix and fuzzy (trigram) match on username and display name; never on e-mail addresses,
 * which are private. A query that looks like an address ("@" anywhere but as a leading handle
 * marker, as in "@alice") finds nobody: fuzzy-matching it against usernames would otherwise
 * confirm whose address it is (an address's local part is often its owner's username).
 */
export async function searchUsers(ctx: Pick<AccountsContext, 'db'>, query: string, limit: number): Promise<UserRow[]> {
  const text = query.trim().replace(/^@/, '');
  if (text.length === 0 || text.includes('@')) return [];
  return searchUserRows(ctx.db, text, limit);
}
