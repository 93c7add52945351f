import { isMuted, setMuted } from '../db/settings.repository.ts';
import type { NotificationsContext } from './context.ts';

export interface ConversationSettings {
  conversationId: string;
  muted: boolean;
}

/*
 * A setting is the caller's own preference about a conversation id: it affects nobody else and
 * is stored whether or not this service has heard of the conversation yet (a client may mute a
 * conversation it opened a moment ago, before its conversation.created got here). Every id
 * answers alike, so nothing about others' conversations can be learnt from it.
 */

/** Mutes or unmutes a conversation for the caller: a muted one produces no notifications (nor pushes). */
export async function setConversationMuted(
  ctx: Pick<NotificationsContext, 'db'>,
  userId: string,
  conversationId: string,
  muted: boolean,
): Promise<ConversationSettings> {
  await setMuted(ctx.db, userId, conversationId, muted);
  return { conversationId, muted };
}

export async function getConversationSettings(
  ctx: Pick<NotificationsContext, 'db'>,
  userId: string,
  conversationId: string,
): Promise<ConversationSettings> {
  return { conversationId, muted: await isMuted(ctx.db, userId, conversationId) };
}
