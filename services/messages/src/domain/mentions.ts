import type { ConversationRef } from '../db/access.ts';
import type { MessagesContext } from './context.ts';
import { conversationMemberIds } from './membership.ts';
import { getProfiles } from './user-profiles.ts';

/** Usernames are 3–32 of a-z 0-9 _ . (case-insensitive); `@` must not follow a word character (e-mail addresses). */
const MENTION = /(?<![\p{L}\p{N}_.@])@([A-Za-z0-9_.]{3,32})/gu;

/**
 * The usernames a body names with @username, lower-cased, each once. A trailing dot is taken as
 * punctuation ("thanks @alice.") unless the name with it is what was meant; both are returned.
 */
export function parseMentionNames(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const name = (match[1] ?? '').toLowerCase();
    names.add(name);
    const trimmed = name.replace(/\.+$/, '');
    if (trimmed.length >= 3) names.add(trimmed);
  }
  return [...names];
}

/**
 * The members of the conversation a body mentions (not the sender): usernames resolved against
 * the members' profiles. Nothing is looked up unless the body has a candidate @name.
 */
export async function resolveMentions(
  ctx: Pick<MessagesContext, 'db' | 'cache' | 'groupsCache' | 'accounts' | 'config' | 'logger' | 'outbox'>,
  conversation: ConversationRef,
  senderId: string,
  body: string,
): Promise<string[]> {
  const names = new Set(parseMentionNames(body));
  if (names.size === 0) return [];
  const memberIds = await conversationMemberIds(ctx, conversation);
  const profiles = await getProfiles(ctx, memberIds);
  const mentioned: string[] = [];
  for (const profile of profiles.values()) {
    if (profile.id !== senderId && names.has(profile.username.toLowerCase())) mentioned.push(profile.id);
  }
  return mentioned.sort();
}
