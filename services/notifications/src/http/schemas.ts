import { notificationFrameDataSchema } from '@parley/contracts';
import { storableText } from '@parley/kit';
import { z } from 'zod';

const base64urlBytes = (bytes: number, what: string) =>
  z
    .string()
    .max(256)
    .refine((value) => /^[A-Za-z0-9_-]+={0,2}$/.test(value) && Buffer.from(value, 'base64url').length === bytes, {
      message: `must be the ${what} (${bytes} bytes, URL-safe base64)`,
    });

export const notificationSchema = notificationFrameDataSchema;

export const listNotificationsQuery = z.object({
  unread: z.stringbool().default(false),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

export const notificationPage = z.object({ items: z.array(notificationSchema), nextCursor: z.string().nullable() });

export const markReadBody = z.union([z.strictObject({ ids: z.array(z.uuid()).min(1).max(500) }), z.strictObject({ all: z.literal(true) })]);

export const conversationParams = z.object({ id: z.uuid() });
export const muteBody = z.object({ muted: z.boolean() });
export const conversationSettingsSchema = z.object({ conversationId: z.uuid(), muted: z.boolean() });

export const vapidPublicKeySchema = z.object({ publicKey: z.string() });

export const pushSubscriptionBody = z.object({
  endpoint: storableText().min(1).max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: base64urlBytes(65, 'P-256 public key of the subscription').refine((value) => Buffer.from(value, 'base64url')[0] === 4, {
      message: 'must be an uncompressed P-256 point',
    }),
    auth: base64urlBytes(16, 'authentication secret'),
  }),
});
export const pushSubscriptionSchema = z.object({ endpoint: z.string(), createdAt: z.string() });
export const unsubscribeBody = z.object({ endpoint: storableText().min(1).max(2048) });

export const presenceQuery = z.object({
  userIds: z
    .string()
    .max(200 * 37)
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.uuid()).min(1).max(200)),
});
export const presenceSchema = z.object({
  items: z.array(z.object({ userId: z.uuid(), status: z.enum(['online', 'away', 'dnd', 'offline']), text: z.string().optional() })),
});
