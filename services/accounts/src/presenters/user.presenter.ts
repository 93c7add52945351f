import type { accountsV1 } from '@parley/contracts';
import type { ActivityRow } from '../db/activity.repository.ts';
import type { SessionRow } from '../db/session.repository.ts';
import type { CachedUserRow, UserRow } from '../db/user.repository.ts';

/** A user from the database, or from the cache as it is (timestamps already ISO strings). */
type PresentableUser = UserRow | CachedUserRow;

// A cached timestamp is the Date's own JSON form, i.e. toISOString(): no need to parse it back.
function iso(date: Date | string): string;
function iso(date: Date | string | null): string | null;
function iso(date: Date | string | null): string | null {
  return date === null || typeof date === 'string' ? date : date.toISOString();
}

export const avatarUrlOf = (user: Pick<UserRow, 'id' | 'avatar_version'>): string | null =>
  user.avatar_version ? `/api/v1/users/${user.id}/avatar?v=${user.avatar_version}` : null;

/**
 * What anyone signed in may see of a user. `status` is the user's presence as notifications
 * decided it (the same as GET /presence and the `presence` frames): the chosen status while
 * connected, offline when not connected or invisible; an invisible user's text and last-seen
 * time are hidden too.
 */
export function presentPublicUser(user: PresentableUser) {
  const invisible = user.status === 'invisible';
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    avatarUrl: avatarUrlOf(user),
    bio: user.bio,
    status: invisible ? ('offline' as const) : user.presence,
    statusText: invisible ? null : user.status_text,
    lastSeenAt: invisible ? null : iso(user.last_seen_at),
  };
}

/** The caller's own profile: the public one plus private fields, and the status the caller chose. */
export function presentMe(user: PresentableUser) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    avatarUrl: avatarUrlOf(user),
    bio: user.bio,
    status: user.status,
    statusText: user.status_text,
    lastSeenAt: iso(user.last_seen_at),
    email: user.email,
    locale: user.locale,
    createdAt: iso(user.created_at),
    lastLoginAt: iso(user.last_login_at),
  };
}

export function presentSession(session: SessionRow, currentSessionId: string) {
  return {
    id: session.id,
    device: session.device,
    ip: session.ip,
    createdAt: session.created_at.toISOString(),
    lastUsedAt: session.last_used_at.toISOString(),
    expiresAt: session.expires_at.toISOString(),
    current: session.id === currentSessionId,
  };
}

export function presentActivity(entry: ActivityRow) {
  return { id: entry.id, kind: entry.kind, detail: entry.detail, occurredAt: entry.occurred_at.toISOString() };
}

/** A user as the other services get it over gRPC (accounts.v1.User): the public profile, and the status the user chose. */
export function presentServiceUser(user: PresentableUser): accountsV1.User {
  const p = presentPublicUser(user);
  return {
    id: p.id,
    username: p.username,
    displayName: p.displayName,
    avatarUrl: p.avatarUrl ?? undefined,
    bio: p.bio,
    status: p.status,
    lastSeenAt: p.lastSeenAt ?? undefined,
    // For notifications' presence only: what to show while the user is connected.
    chosenStatus: user.status,
  };
}

export type PublicUser = ReturnType<typeof presentPublicUser>;
export type Me = ReturnType<typeof presentMe>;
