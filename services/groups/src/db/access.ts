import type { GroupRole } from '@parley/contracts';

declare const memberProof: unique symbol;
declare const lockProof: unique symbol;
declare const serviceProof: unique symbol;

/**
 * Proof that userId belongs to groupId with this role, as only domain/access.ts makes it.
 * Functions that read a group's data for a user take one, so a read without the membership check
 * in front of it does not type-check.
 */
export interface GroupAccess {
  readonly groupId: string;
  readonly userId: string;
  readonly role: GroupRole;
  readonly [memberProof]: true;
}

/**
 * A GroupAccess read under the group's row lock, in the transaction that changes the group
 * (domain/access.ts's lockAsMember), or the owner's own access to the group they just created.
 * Repository functions that change a group or its members take one, so a write without the
 * membership check under the lock does not type-check; the use case still checks the role.
 */
export interface GroupChange extends GroupAccess {
  readonly [lockProof]: true;
}

/**
 * A gRPC call of another service (messages, notifications), which authorise their own callers
 * and ask about any group: made only by domain/access.ts's trustedServiceAccess.
 */
export interface ServiceAccess {
  readonly groupId: string;
  readonly [serviceProof]: true;
}

/** Who may read a group's members: one of its members, or another service. */
export type GroupReadScope = GroupAccess | ServiceAccess;
