import { outboxData, type Queryable } from '@parley/kit';
import type { Membership, ReadAccess, SendAccess } from './access.ts';
import { attachmentsJsonOf, type AttachmentRow } from './file.repository.ts';
import { reactionsJsonOf } from './reaction.repository.ts';

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  body: string;
  client_message_id: string;
  reply_to_id: string | null;
  mentions: string[];
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

const COLUMNS = 'id, conversation_id, seq, sender_id, body, client_message_id, reply_to_id, mentions, created_at, edited_at, deleted_at';

const normalise = (row: MessageRow): MessageRow => ({ ...row, seq: Number(row.seq) });

/**
 * The conversation a message belongs to, so the caller's membership can be checked before
 * anything else about the message is read. The only read without a Membership.
 */
export async function findMessageConversationId(db: Queryable, messageId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ conversation_id: string }>('SELECT conversation_id FROM messages WHERE id = $1', [messageId]);
  return rows[0]?.conversation_id;
}

export async function findMessage(db: Queryable, access: Membership, messageId: string): Promise<MessageRow | undefined> {
  const { rows } = await db.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = $1 AND conversation_id = $2`, [messageId, access.conversation.id]);
  return rows[0] && normalise(rows[0]);
}

/** The same, locked until the transaction ends: edits, deletions and reactions of one message take turns. */
export async function lockMessage(tx: Queryable, access: Membership, messageId: string): Promise<MessageRow | undefined> {
  const { rows } = await tx.query<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = $1 AND conversation_id = $2 FOR UPDATE`, [
    messageId,
    access.conversation.id,
  ]);
  return rows[0] && normalise(rows[0]);
}

/** The caller's earlier message with this clientMessageId in this conversation, if any. */
export async function findByClientMessageId(db: Queryable, access: SendAccess, clientMessageId: string): Promise<MessageRow | undefined> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages WHERE sender_id = $1 AND conversation_id = $2 AND client_message_id = $3`,
    [access.userId, access.conversation.id, clientMessageId],
    { prepare: 'messages.by-client-message-id' },
  );
  return rows[0] && normalise(rows[0]);
}

export interface SendInput {
  id: string;
  body: string;
  clientMessageId: string;
  replyToId: string | null;
  mentions: readonly string[];
  createdAt: Date;
  /** Everyone to notify; null in a direct conversation: its members, read in the same call. */
  recipients: readonly string[] | null;
  /** message.created to write with it (seq and recipients filled in there); null: the caller writes it. */
  event: { id: string; occurredAt: string; data: unknown; requestId?: string } | null;
}

export type SendOutcome =
  | { outcome: 'created'; row: MessageRow; recipients: string[] }
  | { outcome: 'resent'; row: MessageRow }
  | { outcome: 'bad_reply' }
  /** No such conversation, or a deleted one (migration 0007); nothing written. */
  | { outcome: 'gone' };

type SendResultRow = MessageRow & { outcome: SendOutcome['outcome']; recipients: string[] | null };

/**
 * The whole send in one statement (send_message(), migration 0005): the caller's earlier
 * message with this clientMessageId ('resent'), else the next seq, the message and its outbox
 * row. A resend racing this one makes it throw unique_violation (23505), all of it rolled back.
 */
export async function sendMessageRow(db: Queryable, access: SendAccess, input: SendInput): Promise<SendOutcome> {
  const { rows } = await db.query<SendResultRow>(
    `SELECT * FROM send_message($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9::uuid[], $10, $11, $12::text::jsonb)`,
    [
      input.id,
      access.conversation.id,
      access.userId,
      input.body,
      input.clientMessageId,
      input.replyToId,
      [...input.mentions],
      input.createdAt,
      input.recipients && [...input.recipients],
      input.event?.id ?? null,
      input.event?.occurredAt ?? null,
      input.event ? JSON.stringify(outboxData(input.event)) : null,
    ],
    { prepare: 'messages.send' },
  );
  const result = rows[0];
  if (!result) throw new Error('send_message returned no row');
  return outcomeOf(result);
}

/**
 * Several sends in one statement and one commit (send_messages(), migration 0005), each exactly
 * as sendMessageRow, outcomes in the order given. Any error rolls all of them back. Order the
 * items by conversation: batches then lock conversation rows in one order (no deadlock).
 */
export async function sendMessageRows(db: Queryable, items: readonly { access: SendAccess; input: SendInput }[]): Promise<SendOutcome[]> {
  const batch = items.map(({ access, input }) => ({
    id: input.id,
    conversationId: access.conversation.id,
    senderId: access.userId,
    body: input.body,
    clientMessageId: input.clientMessageId,
    replyToId: input.replyToId,
    mentions: input.mentions,
    createdAt: input.createdAt.toISOString(),
    recipients: input.recipients,
    eventId: input.event?.id ?? null,
    eventOccurredAt: input.event?.occurredAt ?? null,
    eventData: input.event ? outboxData(input.event) : null,
  }));
  const { rows } = await db.query<SendResultRow>('SELECT * FROM send_messages($1::text::jsonb)', [JSON.stringify(batch)], {
    prepare: 'messages.send-batch',
  });
  if (rows.length !== items.length) throw new Error(`send_messages returned ${rows.length} rows for ${items.length} sends`);
  return rows.map(outcomeOf);
}

function outcomeOf({ outcome, recipients, ...row }: SendResultRow): SendOutcome {
  if (outcome === 'bad_reply' || outcome === 'gone') return { outcome };
  if (outcome === 'resent') return { outcome, row: normalise(row) };
  return { outcome, row: normalise(row), recipients: recipients ?? [] };
}

/** A message row that carries its reactions and attachments (reactionsJsonOf, attachmentsJsonOf): one round trip. */
export interface MessageRowWithParts extends MessageRow {
  reactions: { emoji: string; count: number; me: boolean }[];
  attachments: AttachmentRow[];
}

const pageSql = (direction: 'ASC' | 'DESC'): string => `
  SELECT c.deleted_at IS NOT NULL AS conversation_deleted, p.*
    FROM conversations c
    LEFT JOIN LATERAL (
      SELECT ${COLUMNS.split(', ')
        .map((column) => `m.${column}`)
        .join(', ')},
             ${reactionsJsonOf('m', '$5')} AS reactions,
             ${attachmentsJsonOf('m')} AS attachments
        FROM messages m
       WHERE m.conversation_id = c.id AND m.seq < $2::bigint AND m.seq > $3::bigint
       ORDER BY m.seq ${direction}
       LIMIT $4) p ON true
   WHERE c.id = $1
   ORDER BY p.seq ${direction}`;
const PAGE_SQL = { ASC: pageSql('ASC'), DESC: pageSql('DESC') };

/**
 * A page of history with each message's reactions (`me` for viewerId) and attachments, in one
 * round trip: `before` newest first (seq < before), `after` oldest first (seq > after),
 * neither: the newest page, newest first. Keyset on (conversation_id, seq). A named prepared
 * statement: the bounds are never NULL, so its generic plan keeps them as index conditions.
 * 'no conversation' when the conversation has no row here, 'deleted' when it was deleted.
 */
export async function listMessagePage(
  db: Queryable,
  access: ReadAccess,
  page: { before?: number | undefined; after?: number | undefined; limit: number },
  viewerId: string,
): Promise<MessageRowWithParts[] | 'no conversation' | 'deleted'> {
  const direction = page.after !== undefined ? 'ASC' : 'DESC';
  const { rows } = await db.query<MessageRowWithParts & { conversation_deleted: boolean }>(
    PAGE_SQL[direction],
    [access.conversationId, page.before ?? Number.MAX_SAFE_INTEGER, page.after ?? 0, page.limit, viewerId],
    { prepare: `messages.history-page-${direction.toLowerCase()}` },
  );
  const first = rows[0];
  if (!first) return 'no conversation';
  if (first.conversation_deleted) return 'deleted';
  return rows.filter((row) => row.id !== null).map(({ conversation_deleted: _, ...row }) => ({ ...row, seq: Number(row.seq) }));
}

/** The messages at these seqs of several conversations (the latest of each, for the chat list). */
export async function findMessagesBySeq(db: Queryable, keys: readonly { conversationId: string; seq: number }[]): Promise<MessageRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<MessageRow>(
    `SELECT ${COLUMNS} FROM messages
      WHERE (conversation_id, seq) IN (SELECT * FROM unnest($1::uuid[], $2::bigint[]))`,
    [keys.map((k) => k.conversationId), keys.map((k) => k.seq)],
  );
  return rows.map(normalise);
}

export async function updateMessageBody(tx: Queryable, access: Membership, messageId: string, body: string, mentions: readonly string[]): Promise<MessageRow> {
  const { rows } = await tx.query<MessageRow>(
    `UPDATE messages SET body = $3, mentions = $4::uuid[], edited_at = now()
      WHERE id = $1 AND conversation_id = $2 RETURNING ${COLUMNS}`,
    [messageId, access.conversation.id, body, [...mentions]],
  );
  const row = rows[0];
  if (!row) throw new Error(`message ${messageId} vanished while editing`);
  return normalise(row);
}

/** Turns the message into a tombstone: its seq stays, its content goes. */
export async function tombstoneMessage(tx: Queryable, access: Membership, messageId: string): Promise<MessageRow> {
  const { rows } = await tx.query<MessageRow>(
    `UPDATE messages SET body = '', mentions = '{}', deleted_at = now()
      WHERE id = $1 AND conversation_id = $2 RETURNING ${COLUMNS}`,
    [messageId, access.conversation.id],
  );
  const row = rows[0];
  if (!row) throw new Error(`message ${messageId} vanished while deleting`);
  return normalise(row);
}
