import { z } from 'zod';

/*
 * Domain events on the bus: one envelope, one data schema per event type (the routing key).
 *
 * Evolution rule: add fields, never remove or retype them. Object schemas strip unknown keys
 * instead of rejecting them, so an older consumer still accepts a newer producer's event; the
 * entity payloads (message, conversation) are loose objects so fields the consumer does not
 * know yet survive being forwarded to clients.
 */

// Ids are UUIDv7 in practice; `guid` checks the shape only (like kit's isUuid), so test
// fixtures with hand-written ids pass.
const id = z.guid();
const ids = z.array(id);
const timestamp = z.iso.datetime({ offset: true });
const seq = z.number().int().nonnegative();
/** Members who must hear the event (the conversation's members when it happened); absent: consumers resolve them. */
const recipients = ids.optional();

export const userStatusSchema = z.enum(['online', 'away', 'dnd', 'invisible', 'offline']);
export type UserStatus = z.infer<typeof userStatusSchema>;

/** What other users see of someone: the chosen status while connected, `offline` otherwise (never `invisible`). */
export const shownStatusSchema = z.enum(['online', 'away', 'dnd', 'offline']) satisfies z.ZodType<Exclude<UserStatus, 'invisible'>>;
export type ShownStatus = z.infer<typeof shownStatusSchema>;

export const groupRoleSchema = z.enum(['owner', 'admin', 'member']);
export type GroupRole = z.infer<typeof groupRoleSchema>;

export const attachmentSchema = z.looseObject({
  id,
  name: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  url: z.string(),
});

/** `me` is per viewer: events leave it out, REST answers fill it in. */
export const reactionSummarySchema = z.looseObject({
  emoji: z.string().min(1),
  count: z.number().int().nonnegative(),
  me: z.boolean().optional(),
});

/** A message as API.md describes it; a deleted one is a tombstone with `deletedAt` set. */
export const messageSchema = z.looseObject({
  id,
  conversationId: id,
  seq,
  senderId: id,
  body: z.string(),
  clientMessageId: z.string(),
  replyToId: id.nullable(),
  attachments: z.array(attachmentSchema),
  reactions: z.array(reactionSummarySchema),
  createdAt: timestamp,
  editedAt: timestamp.nullable(),
  deletedAt: timestamp.nullable(),
});
export type Message = z.infer<typeof messageSchema>;

/** What every member shares about a conversation; per-viewer fields (unreadCount, ...) are not in events. */
export const conversationSchema = z.looseObject({
  id,
  type: z.enum(['direct', 'group']),
  /** The group's name for group chats; null for direct ones (clients show the other user). */
  title: z.string().nullable(),
  createdAt: timestamp,
});
export type Conversation = z.infer<typeof conversationSchema>;

/** The public profile fields a `user.updated` can change; only changed ones are present. */
const profileChangesSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    avatarUrl: z.string().nullable(),
    bio: z.string(),
  })
  .partial();

const groupChangesSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
  })
  .partial();

export const eventDataSchemas = {
  'user.registered': z.object({ userId: id, username: z.string(), displayName: z.string() }),
  'user.updated': z.object({ userId: id, changes: profileChangesSchema }),
  'user.status_changed': z.object({ userId: id, status: userStatusSchema, text: z.string().optional() }),
  /** reason: `logout`, `revoked`, `password_changed`, `refresh_reuse`, ...; free text so new reasons do not break old consumers. */
  'session.revoked': z.object({ userId: id, sessionId: id, reason: z.string().min(1) }),
  /** userId added contactId to their contacts: userId now watches contactId's presence. */
  'contact.added': z.object({ userId: id, contactId: id }),
  'contact.removed': z.object({ userId: id, contactId: id }),

  /**
   * notifications: what other users are shown of userId changed (connected + chosen status;
   * invisible and not connected are `offline`). One per change, in the order decided; the
   * envelope's id (UUIDv7) orders them, so a consumer keeps the one with the highest id.
   * The same transitions as the `presence` frames; docs/presence.md.
   */
  'presence.changed': z.object({ userId: id, status: shownStatusSchema }),

  'group.created': z.object({
    groupId: id,
    name: z.string(),
    description: z.string().nullable().optional(),
    ownerId: id,
    /** Every member including the owner. */
    memberIds: ids,
  }),
  'group.updated': z.object({ groupId: id, changes: groupChangesSchema, updatedBy: id.optional() }),
  /** memberIds: who belonged to it when it was deleted, so they can be told without a look-up. */
  'group.deleted': z.object({ groupId: id, deletedBy: id.optional(), memberIds: ids.optional() }),
  'group.member_added': z.object({ groupId: id, userId: id, role: groupRoleSchema, addedBy: id }),
  /** removedBy equals userId when the member left. */
  'group.member_removed': z.object({ groupId: id, userId: id, removedBy: id }),
  'group.member_role_changed': z.object({ groupId: id, userId: id, role: groupRoleSchema }),

  'message.created': z.object({ message: messageSchema, mentions: ids, recipients }),
  'message.updated': z.object({ message: messageSchema, recipients }),
  'message.deleted': z.object({
    conversationId: id,
    messageId: id,
    seq,
    deletedBy: id,
    deletedAt: timestamp,
    recipients,
  }),
  /** count: the emoji's count after the change; clients flip their own `me` when userId is theirs. */
  'reaction.updated': z.object({
    conversationId: id,
    messageId: id,
    userId: id,
    emoji: z.string().min(1),
    action: z.enum(['added', 'removed']),
    count: z.number().int().nonnegative(),
    recipients,
  }),
  /** The user has read the conversation up to and including seq. */
  'read.updated': z.object({ conversationId: id, userId: id, seq }),
  'conversation.created': z.object({ conversation: conversationSchema, memberIds: ids }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

export const isEventType = (type: string): type is EventType => Object.hasOwn(eventDataSchemas, type);

/** The envelope as it travels; `data` is checked against its type by parseEvent. */
export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  occurredAt: timestamp,
  /** The publishing service, e.g. `accounts`. */
  producer: z.string().min(1),
  data: z.unknown(),
  /** The request that led to the event (its `x-request-id`), for logs; absent when none did. */
  requestId: z.string().max(128).optional(),
});

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  occurredAt: string;
  producer: string;
  data: EventData<T>;
  requestId?: string | undefined;
}

/** A parsed event: switching on `type` narrows `data`. */
export type AnyEvent = { [T in EventType]: DomainEvent<T> }[EventType];

/** Thrown by parseEvent; `issues` says what was wrong, for logs and dead letters. */
export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

const describe = (error: z.ZodError): string => error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');

/** Data schemas by event type: the contracts' (eventDataSchemas), or a service's own events. */
export type EventDataSchemas = Record<string, z.ZodType>;

/** The events a map of data schemas describes, as parsed: switching on `type` narrows `data`. */
export type EventOf<S extends EventDataSchemas> = {
  [T in keyof S & string]: { id: string; type: T; occurredAt: string; producer: string; data: z.infer<S[T]>; requestId?: string | undefined };
}[keyof S & string];

/**
 * A parser for the events of `schemas`: validates an envelope and its data for its type. Throws
 * InvalidEventError for a malformed envelope, an unknown type or data that does not fit the
 * type; unknown data fields are dropped. parseEvent is the one for the contracts' events; a
 * service's own event (notifications' notification.created) gets its parser here too.
 */
export function eventParser<S extends EventDataSchemas>(schemas: S): (envelope: unknown) => EventOf<S> {
  return (envelope) => {
    const parsed = eventEnvelopeSchema.safeParse(envelope);
    if (!parsed.success) throw new InvalidEventError(`Invalid event envelope: ${describe(parsed.error)}`, parsed.error.issues);
    const { type } = parsed.data;
    const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
    if (!schema) throw new InvalidEventError(`Unknown event type: ${type}`);
    const data = schema.safeParse(parsed.data.data);
    if (!data.success) throw new InvalidEventError(`Invalid data for ${type}: ${describe(data.error)}`, data.error.issues);
    // The schema looked up by `type` produced `data`, which is exactly what EventOf pairs; TS cannot follow the correlation.
    return { ...parsed.data, type, data: data.data } as EventOf<S>;
  };
}

const parseContractEvent = eventParser(eventDataSchemas);

/**
 * Validates an envelope and its data for its type (eventParser over the contracts' events).
 * Consumers should drop what fails rather than retry it (the kit's subscribe does).
 */
export function parseEvent(envelope: unknown): AnyEvent {
  return parseContractEvent(envelope);
}
