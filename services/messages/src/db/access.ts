import type { GroupRole } from '@parley/contracts';
import type { ConversationRow } from './conversation.repository.ts';

declare const memberProof: unique symbol;

/**
 * Proof that userId belongs to conversation, as only domain/membership.ts's assertMember makes
 * it. Repository functions that read or write a conversation's content take one, so a query
 * without an authorisation check in front of it does not type-check.
 */
export interface Membership {
  conversation: ConversationRow;
  /** The caller's role in a group conversation; null in a direct one. */
  role: GroupRole | null;
  userId: string;
  readonly [memberProof]: true;
}

/**
 * Proof that userId may read conversationId's messages, as domain/membership.ts's assertReader
 * makes it (from cached membership answers when it can). It carries no conversation row: the
 * reading query itself checks that the conversation still exists and is not deleted.
 */
export interface ReadAccess {
  conversationId: string;
  userId: string;
  readonly [memberProof]: true;
}
