import { listReadStates, type ReadStateRow } from '../db/read-state.repository.ts';
import type { MessagesContext } from './context.ts';
import { assertMember, conversationMemberIds } from './membership.ts';

export interface MemberReadState {
  userId: string;
  /** Read up to and including this seq; 0 when nothing has been marked read. */
  row: ReadStateRow | undefined;
}

/**
 * Where each current member has read the conversation up to, so a client that reloads can
 * show "seen by" (live, `read.updated` frames carry the same). Members only; a removed member's
 * old mark is not listed.
 */
export async function listMemberReadStates(ctx: MessagesContext, userId: string, conversationId: string): Promise<MemberReadState[]> {
  const access = await assertMember(ctx, conversationId, userId);
  const [memberIds, rows] = await Promise.all([conversationMemberIds(ctx, access.conversation), listReadStates(ctx.db, access)]);
  const byUser = new Map(rows.map((row) => [row.user_id, row]));
  return memberIds.map((id) => ({ userId: id, row: byUser.get(id) }));
}
