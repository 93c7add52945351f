import { z } from 'zod';
import { shownStatusSchema, type EventData } from './events.ts';

/*
 * The WebSocket protocol (`GET /ws`; docs/realtime.md, and the AsyncAPI document built from these schemas). Client frames arrive from the outside world and
 * are validated with zod; server frames are produced by our own code, so types are enough.
 */

// ---------- client → server ----------

export const authFrameSchema = z.object({
  type: z.literal('auth'),
  // A JWT is far below this; the bound keeps junk out of the verifier.
  token: z.string().min(1).max(8192),
});

export const typingFrameSchema = z.object({
  type: z.literal('typing'),
  conversationId: z.guid(),
});

export const pingFrameSchema = z.object({ type: z.literal('ping') });

export const clientFrameSchema = z.discriminatedUnion('type', [authFrameSchema, typingFrameSchema, pingFrameSchema]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ParsedClientFrame = { ok: true; frame: ClientFrame } | { ok: false; error: ErrorFrameData };

/**
 * Parses one text frame. Bad JSON or an unknown/malformed frame is not fatal (API.md: answer an
 * `error` frame, keep the socket open), so this returns the error frame's data instead of throwing.
 */
export function parseClientFrame(text: string): ParsedClientFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'bad_frame', message: 'The frame is not valid JSON.' } };
  }
  const parsed = clientFrameSchema.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const unknownType = parsed.error.issues.some((issue) => issue.code === 'invalid_union' && issue.path.join('.') === 'type');
  return unknownType
    ? { ok: false, error: { code: 'unknown_type', message: 'Unknown frame type.' } }
    : {
        ok: false,
        error: {
          code: 'bad_frame',
          message: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(frame)'}: ${issue.message}`).join('; '),
        },
      };
}

// ---------- server → client ----------

/*
 * Server frames are produced by our own code, so types would be enough to keep them right; they
 * are zod schemas all the same so the protocol's documentation (the AsyncAPI document, built
 * from these in asyncapi.ts) cannot drift from what the code sends.
 */

export const readyFrameDataSchema = z.object({ userId: z.string(), sessionId: z.string() });
export type ReadyFrameData = z.infer<typeof readyFrameDataSchema>;

export const errorFrameDataSchema = z.object({
  /** `bad_frame`, `unknown_type`, `not_found`, `unavailable`, ... */
  code: z.string(),
  message: z.string(),
});
export type ErrorFrameData = z.infer<typeof errorFrameDataSchema>;

export const typingFrameDataSchema = z.object({ conversationId: z.string(), userId: z.string() });
export type TypingFrameData = z.infer<typeof typingFrameDataSchema>;

export const presenceFrameDataSchema = z.object({
  userId: z.string(),
  /** `invisible` is never sent to others: they see `offline`. The same value as the profile's `status`. */
  status: shownStatusSchema,
  text: z.string().optional(),
});
export type PresenceFrameData = z.infer<typeof presenceFrameDataSchema>;

/** A stored notification: the `notification` frame's data, the REST list's item and the notification.created event's payload. */
export const notificationFrameDataSchema = z.object({
  id: z.guid(),
  /** `mention`, `direct_message`, `group_added`, ... */
  kind: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
  conversationId: z.guid().optional(),
  messageId: z.guid().optional(),
  groupId: z.guid().optional(),
  actorId: z.guid().optional(),
  /** A short text for the notification, e.g. the start of the message. */
  preview: z.string().optional(),
});
export type NotificationFrameData = z.infer<typeof notificationFrameDataSchema>;

/**
 * `resync`: the instance's live path was interrupted (its Redis subscription was lost and is back),
 * so frames published meanwhile never reached this socket. The socket stays open; the client does
 * exactly what it does after a reconnect: fetch each known conversation's gap by `seq`
 * (`?after=`), refetch the chat list, de-duplicate by message id (docs/realtime.md).
 */
export const resyncFrameDataSchema = z.object({ reason: z.literal('live-path-interrupted') });
export type ResyncFrameData = z.infer<typeof resyncFrameDataSchema>;

/** The server frames that are not relayed domain events, with their payload schemas (`pong` has none). */
export const serverFrameDataSchemas = {
  ready: readyFrameDataSchema,
  error: errorFrameDataSchema,
  typing: typingFrameDataSchema,
  presence: presenceFrameDataSchema,
  notification: notificationFrameDataSchema,
  resync: resyncFrameDataSchema,
} as const;

/** Domain events relayed to clients as they are, minus the routing hints meant for services. */
export const relayedEventTypes = [
  'message.created',
  'message.updated',
  'message.deleted',
  'reaction.updated',
  'read.updated',
  'conversation.created',
  'group.created',
  'group.updated',
  'group.member_added',
  'group.member_removed',
  'group.member_role_changed',
  'group.deleted',
] as const;
export type RelayedEventType = (typeof relayedEventTypes)[number];
export type RelayedEventData<T extends RelayedEventType> = Omit<EventData<T>, 'recipients'>;

interface Frame<T extends string, D> {
  type: T;
  data: D;
}

export type ServerFrame =
  | Frame<'ready', ReadyFrameData>
  | { type: 'pong' }
  | Frame<'error', ErrorFrameData>
  | Frame<'typing', TypingFrameData>
  | Frame<'presence', PresenceFrameData>
  | Frame<'notification', NotificationFrameData>
  | Frame<'resync', ResyncFrameData>
  | { [T in RelayedEventType]: Frame<T, RelayedEventData<T>> }[RelayedEventType];

export type ServerFrameType = ServerFrame['type'];

/** Close codes the server uses (API.md). */
export const wsCloseCodes = {
  /** No, an expired, or a revoked token. */
  unauthorized: 4001,
  /** Flooding. */
  policyViolation: 1008,
  /** A frame over the size limit. */
  messageTooBig: 1009,
  /** The server is restarting or shutting down: reconnect (another instance answers). */
  serviceRestart: 1012,
  /** The client read too slowly and its send buffer filled up: reconnect and fetch the gap. */
  tryAgainLater: 1013,
} as const;

/** How long a new socket may take to send its `auth` frame. */
export const wsAuthTimeoutMs = 10_000;
