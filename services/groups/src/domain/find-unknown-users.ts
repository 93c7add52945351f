import { unary } from '@parley/kit';
import type { GroupsContext } from './context.ts';

/** accounts.v1.Users/GetUsers takes at most this many ids per call. */
const BATCH = 500;

/** Which of ids accounts does not know, in the order given. An unreachable accounts is a 503. */
export async function findUnknownUsers(ctx: Pick<GroupsContext, 'accounts'>, ids: readonly string[]): Promise<string[]> {
  const known = new Set<string>();
  for (let start = 0; start < ids.length; start += BATCH) {
    // A read: safe to retry.
    const { users } = await unary(ctx.accounts, 'getUsers', { ids: ids.slice(start, start + BATCH) }, { idempotent: true });
    for (const user of users) known.add(user.id);
  }
  return ids.filter((id) => !known.has(id));
}
