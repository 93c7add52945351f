import { conflict, errorCode, newId, type FieldErrors } from '@parley/kit';
import { findTakenIdentifiers, insertUser, type UserRow } from '../db/user.repository.ts';
import type { AccountsContext, ClientInfo } from './context.ts';
import { events } from './events.ts';
import { hashPassword } from './passwords.ts';
import { recordActivity } from './record-activity.ts';
import { activateSession, openSession, type TokenPair } from './start-session.ts';

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  displayName?: string | undefined;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown): boolean => errorCode(error) === UNIQUE_VIOLATION;

export async function registerUser(ctx: AccountsContext, input: RegisterInput, client: ClientInfo): Promise<{ user: UserRow } & TokenPair> {
  await ctx.limits.hit(`auth-ip:${client.ip}`, ctx.config.AUTH_MAX_PER_IP, ctx.config.LOGIN_WINDOW_SECONDS);
  const taken = await findTakenIdentifiers(ctx.db, input.username, input.email);
  if (taken.username || taken.email) throw takenConflict(taken);

  const passwordHash = await hashPassword(input.password);
  try {
    const result = await events.transaction(ctx, async (tx, emit) => {
      const user = await insertUser(tx, {
        id: newId(),
        username: input.username,
        email: input.email,
        passwordHash,
        displayName: input.displayName?.trim() || input.username,
      });
      emit('user.registered', { userId: user.id, username: user.username, displayName: user.display_name });
      return { user, ...(await openSession(ctx, tx, user.id, client)) };
    });
    await activateSession(ctx, result.sessionId, result.user.id);
    // A registration that hands out tokens is a sign-in: the activity list shows it as one.
    await recordActivity(ctx, result.user.id, 'login', { ip: client.ip, device: client.device });
    return result;
  } catch (error) {
    // Two registrations racing for one name: the unique index decides, the loser gets 409.
    if (isUniqueViolation(error)) throw takenConflict(await findTakenIdentifiers(ctx.db, input.username, input.email));
    throw error;
  }
}

/**
 * Usernames are public (profiles, search, mentions), so a taken one is a field error the user
 * can act on. E-mail addresses are private: a taken one gets a generic 409 that names no field
 * and is the same whatever the address, so the answer never says "this e-mail has an account".
 * (With sign-in at registration, API.md's 201 + tokens, a refusal itself cannot be hidden; see
 * docs/accounts.md for what that leaves and what bounds it.)
 */
function takenConflict(taken: { username: boolean; email: boolean }) {
  if (taken.username) return conflict('This username is already taken.', { 'body.username': ['is already taken'] } satisfies FieldErrors);
  return conflict('An account cannot be created with these details. If you already have one, sign in instead.');
}
