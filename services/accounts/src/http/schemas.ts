import { storableText } from '@parley/kit';
import { z } from 'zod';

/** Free text PostgreSQL can store (kit's storable-text rule, which also guards every other input). */
const text = storableText;

export const usernameSchema = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9_.]+$/, 'may contain only letters a-z, digits, "_" and "."');
export const emailSchema = z.string().trim().max(254).pipe(z.email());
export const passwordSchema = z.string().min(8).max(256);
export const displayNameSchema = text().trim().min(1).max(64);
export const userIdParams = z.object({ userId: z.uuid() });
export const idParams = z.object({ id: z.uuid() });
export const limitSchema = z.coerce.number().int().min(1).max(200).default(50);

export const registerBody = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
});
export const loginBody = z.object({ login: text().trim().min(1).max(254), password: z.string().min(1).max(256) });
export const refreshBody = z.object({ refreshToken: z.string().min(1).max(512) });

export const profilePatchBody = z
  .object({
    displayName: displayNameSchema.optional(),
    bio: text().max(500).optional(),
    locale: z
      .string()
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a language tag such as "en" or "ru-RU"')
      .max(35)
      .optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one of displayName, bio, locale' });
export const passwordBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema });
export const statusBody = z.object({
  status: z.enum(['online', 'away', 'dnd', 'invisible']),
  text: text().trim().max(100).nullish(),
});
export const searchQuery = z.object({ q: text().trim().min(1).max(64), limit: limitSchema });
export const pageQuery = z.object({ limit: limitSchema, cursor: z.string().max(200).optional() });

export const publicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  bio: z.string(),
  status: z
    .enum(['online', 'away', 'dnd', 'invisible', 'offline'])
    .describe(
      'What other users see: the status the user chose (online, away, dnd) while they have a socket open, offline when they have none or are invisible. ' +
        'The same as GET /api/v1/presence and the `presence` frames (it follows them within moments); never `invisible` here. ' +
        'While presence is paused (Redis unavailable), the last known value.',
    ),
  statusText: z.string().nullable(),
  lastSeenAt: z.string().nullable().describe('When the user was last active or connected (null when never, or when invisible).'),
});
export const meSchema = publicUserSchema.extend({
  status: z
    .enum(['online', 'away', 'dnd', 'invisible', 'offline'])
    .describe('The status you chose (PUT /api/v1/users/me/status; away also after IDLE_AWAY_SECONDS idle while connected). Others see your presence instead.'),
  email: z.string(),
  locale: z.string(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export const authAnswer = z.object({
  user: meSchema,
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number(),
  sessionId: z.string(),
});
export const tokenPairAnswer = authAnswer.omit({ user: true });
export const sessionSchema = z.object({
  id: z.string(),
  device: z.string(),
  ip: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  current: z.boolean(),
});
export const activitySchema = z.object({
  id: z.string(),
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
});
