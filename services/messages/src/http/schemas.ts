import { storableText } from '@parley/kit';
import { z } from 'zod';
import { MAX_ATTACHMENTS } from '../domain/attach-files.ts';

/** Free text PostgreSQL can store (kit's storable-text rule, which also guards every other input). */
const text = storableText;

export const MAX_BODY_CHARS = 10_000;
/** Characters as people count them (code points), so an emoji is one, not two. */
const chars = (value: string): number => [...value].length;

/** A message body: trimmed, 1 to 10,000 characters. */
export const messageBodySchema = text()
  .trim()
  .min(1, 'must not be empty')
  .refine((value) => chars(value) <= MAX_BODY_CHARS, `must be at most ${MAX_BODY_CHARS} characters`);

const uuid = () => z.guid('must be a UUID');

export const sendMessageBody = z.object({
  body: messageBodySchema,
  clientMessageId: text().min(1).max(100),
  replyToId: uuid().nullish(),
  attachmentIds: z.array(uuid()).max(MAX_ATTACHMENTS).optional(),
});
export const editMessageBody = z.object({ body: messageBodySchema });
export const directBody = z.object({ userId: uuid() });
export const readBody = z.object({ seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });

/** Path ids are checked by the use cases: a malformed id answers 404, as an unknown one. */
export const idParams = z.object({ id: z.string() });
/**
 * A reaction is one emoji: a fully-qualified emoji sequence (skin tones, ZWJ families, flags,
 * keycaps) or a pictographic character with or without its emoji presentation selector.
 * Words, shortcodes and markup (`ok`, `-1`, `<script>`) are refused: clients map their
 * shortcodes to the emoji before sending, so every client shows the same reaction.
 */
const oneEmoji = new RegExp('^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic}\\uFE0F?)$', 'v');
export const emojiSchema = z.string().max(64).regex(oneEmoji, 'must be a single emoji');
export const reactionParams = z.object({ id: z.string(), emoji: emojiSchema });

const limitSchema = z.coerce.number().int().min(1).max(200).default(50);
const seqQuery = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();
export const historyQuery = z.object({ before: seqQuery, after: seqQuery, limit: limitSchema });
export const pageQuery = z.object({ limit: limitSchema, cursor: z.string().max(500).optional() });

const attachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
  url: z.string(),
  thumbnailUrl: z.string().nullable().optional(),
});
export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number(),
  senderId: z.string(),
  body: z.string(),
  clientMessageId: z.string(),
  replyToId: z.string().nullable(),
  attachments: z.array(attachmentSchema),
  reactions: z.array(z.object({ emoji: z.string(), count: z.number(), me: z.boolean().optional() })),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
});
export const conversationSchema = z.object({
  id: z.string(),
  type: z.enum(['direct', 'group']),
  title: z.string().nullable(),
  otherUserId: z.string().nullable(),
  lastMessage: messageSchema.nullable(),
  lastSeq: z.number(),
  lastReadSeq: z.number(),
  unreadCount: z.number(),
  lastMessageAt: z.string().nullable(),
  createdAt: z.string(),
});
export const messagePageSchema = z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() });
export const conversationPageSchema = z.object({ items: z.array(conversationSchema), nextCursor: z.string().nullable() });
export const readStatesSchema = z.object({
  items: z.array(z.object({ userId: z.string(), lastReadSeq: z.number(), readAt: z.string().nullable() })),
});
