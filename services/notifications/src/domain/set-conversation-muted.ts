import { notFound } from '@parley/kit';
import { isMuted, setMuted } from '../db/settings.repository.ts';
import type { NotificationsContext } from './context.ts';

export interface ConversationSettings {
  conversationId: string;
  muted: boolean;
}

type SettingsContext = Pick<NotificationsContext, 'db' | 'directory'>;

/*
 * Settings are per-conversation calls like any other: a caller who is not a member (or an id
 * nobody knows) is told the conversation does not exist, so they reveal nothing about others'
 * conversations. Membership comes from the directory (direct: from conversation.created or a
 * message event; group: the groups service). A direct conversation opened a moment ago may
 * answer 404 until its conversation.created got here (milliseconds).
 */
async function assertMember(ctx: SettingsContext, userId: string, conversationId: string): Promise<void> {
  if (!(await ctx.directory.isMember(conversationId, userId))) throw notFound('conversation');
}

/** Mutes or unmutes a conversation for the caller: a muted one produces no notifications (nor pushes). */
export async function setConversationMuted(ctx: SettingsContext, userId: string, conversationId: string, muted: boolean): Promise<ConversationSettings> {
  await assertMember(ctx, userId, conversationId);
  await setMuted(ctx.db, userId, conversationId, muted);
  return { conversationId, muted };
}

export async function getConversationSettings(ctx: SettingsContext, userId: string, conversationId: string): Promise<ConversationSettings> {
  await assertMember(ctx, userId, conversationId);
  return { conversationId, muted: await isMuted(ctx.db, userId, conversationId) };
}
