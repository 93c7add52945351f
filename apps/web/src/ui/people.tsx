import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { PresenceStatus, PublicUser } from '../api/types';

/* People as the UI shows them: profiles and presence from the cache, avatars with a status dot. */

export function useUser(userId: string | null | undefined) {
  return useQuery({ ...userQuery(userId ?? ''), enabled: Boolean(userId) });
}

/** Live presence: seeded from the profile, then kept by `presence` frames. */
export function usePresence(user: PublicUser | undefined): PresenceStatus | undefined {
  const seeded: PresenceStatus | undefined = user ? (user.status === 'invisible' ? 'offline' : user.status) : undefined;
  const { data } = useQuery({
    queryKey: keys.presence(user?.id ?? ''),
    queryFn: async () => {
      const answer = await ok(api.GET('/api/v1/presence', { params: { query: { userIds: user!.id } } }));
      return answer.items[0]?.status ?? 'offline';
    },
    enabled: Boolean(user),
    staleTime: Infinity,
  });
  return data ?? seeded;
}

export const nameOf = (user: Pick<PublicUser, 'displayName' | 'username'> | undefined): string => (user ? user.displayName || user.username : '…');

export function Avatar({
  user,
  size = 40,
  presence,
}: {
  user: Pick<PublicUser, 'id' | 'displayName' | 'username' | 'avatarUrl'> | undefined;
  size?: number;
  presence?: PresenceStatus;
}) {
  const { t } = useTranslation();
  const initials = nameOf(user).slice(0, 1).toUpperCase();
  return (
    <span className="avatar" style={{ width: size, height: size, fontSize: size * 0.42 }} aria-hidden={presence ? undefined : true}>
      {user?.avatarUrl ? <img src={user.avatarUrl} alt="" width={size} height={size} /> : <span className="initials">{initials}</span>}
      {presence && <span className={`presence presence-${presence}`} data-testid="presence-dot" role="img" aria-label={t(`people.status.${presence}`)} />}
    </span>
  );
}

export function UserName({ userId }: { userId: string }) {
  const { data } = useUser(userId);
  return <>{nameOf(data)}</>;
}

const userQuery = (userId: string) => ({
  queryKey: keys.user(userId),
  queryFn: () => ok(api.GET('/api/v1/users/{id}', { params: { path: { id: userId } } })),
  staleTime: 5 * 60_000,
});

/** Display names of several users (for "seen by" and typing notices), fetched as needed. */
export function useNames(userIds: readonly string[]): Map<string, string> {
  return useQueries({
    queries: userIds.map(userQuery),
    combine: (results) => new Map(userIds.map((id, index) => [id, nameOf(results[index]?.data)])),
  });
}
