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

/** What a send needs to know of its conversation. */
export type ConversationRef = Pick<ConversationRow, 'id' | 'type'>;

/**
 * Proof that userId may send to the conversation, as domain/membership.ts's assertSender makes it
 * (from cached membership answers when it can; a Membership is one too). It carries only the
 * conversation's id and type: the send itself (send_message()) checks that the conversation still
 * exists and is not deleted.
 */
export interface SendAccess {
  conversation: ConversationRef;
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
