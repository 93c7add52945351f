import type { MemberReadState } from '../domain/list-read-states.ts';

/** One member's read position: `readAt` is when the mark last moved (null: never). */
export function presentReadState({ userId, row }: MemberReadState) {
  return {
    userId,
    lastReadSeq: row ? Number(row.last_read_seq) : 0,
    readAt: row ? new Date(row.updated_at).toISOString() : null,
  };
}
