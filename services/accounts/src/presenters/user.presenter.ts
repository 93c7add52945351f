import type { ActivityRow } from '../data/activity.repository.ts';
import type { SessionRow } from '../data/session.repository.ts';
import type { UserRow } from '../data/user.repository.ts';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export const avatarUrlOf = (user: Pick<UserRow, 'id' | 'avatar_version'>): string | null =>
  user.avatar_version ? `/api/v1/users/${user.id}/avatar?v=${user.avatar_version}` : null;

/** What anyone signed in may see of a user. An invisible user shows as offline. */
export function presentPublicUser(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    avatarUrl: avatarUrlOf(user),
    bio: user.bio,
    status: user.status === 'invisible' ? ('offline' as const) : user.status,
    statusText: user.status === 'invisible' ? null : user.status_text,
    lastSeenAt: user.status === 'invisible' ? null : iso(user.last_seen_at),
  };
}

/** The caller's own profile: the public one plus private fields. */
export function presentMe(user: UserRow) {
  return {
    ...presentPublicUser(user),
    status: user.status,
    statusText: user.status_text,
    lastSeenAt: iso(user.last_seen_at),
    email: user.email,
    locale: user.locale,
    createdAt: user.created_at.toISOString(),
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

export type PublicUser = ReturnType<typeof presentPublicUser>;
export type Me = ReturnType<typeof presentMe>;
