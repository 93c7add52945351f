import type { Queryable } from '@parley/kit';
import type { Membership } from './access.ts';

/**
 * Moves the caller's read mark forward to seq, clamped to the conversation's last seq. Returns
 * the new mark, or undefined when it did not move (never backwards; 0 is where everyone starts).
 */
export async function advanceReadState(tx: Queryable, access: Membership, seq: number): Promise<number | undefined> {
  const { rows } = await tx.query<{ last_read_seq: number }>(
    `INSERT INTO read_state (conversation_id, user_id, last_read_seq)
     SELECT c.id, $2, LEAST($3::bigint, c.last_seq) FROM conversations c
      WHERE c.id = $1 AND LEAST($3::bigint, c.last_seq) > 0
     ON CONFLICT (conversation_id, user_id) DO UPDATE
        SET last_read_seq = EXCLUDED.last_read_seq, updated_at = now()
      WHERE read_state.last_read_seq < EXCLUDED.last_read_seq
     RETURNING last_read_seq`,
    [access.conversation.id, access.userId, seq],
  );
  return rows[0] ? Number(rows[0].last_read_seq) : undefined;
}

export interface ReadStateRow {
  user_id: string;
  last_read_seq: number | string;
  updated_at: Date;
}

/** Every read mark of the conversation (members who never marked anything have none). */
export async function listReadStates(db: Queryable, access: Membership): Promise<ReadStateRow[]> {
  const { rows } = await db.query<ReadStateRow>('SELECT user_id, last_read_seq, updated_at FROM read_state WHERE conversation_id = $1', [access.conversation.id]);
  return rows;
}
