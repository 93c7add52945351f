import { useQuery } from '@tanstack/react-query';
import { useDeferredValue, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import type { PublicUser } from '../api/types';
import { useServices } from '../app/session';
import { Avatar, nameOf } from '../ui/people';

/** A search box over users; each result gets the actions the caller renders. */
export function UserSearch({ actions, exclude = [] }: { actions: (user: PublicUser) => ReactNode; exclude?: string[] }) {
  const { t } = useTranslation();
  const { me } = useServices();
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query.trim());
  const id = useId();
  const { data, isFetching } = useQuery({
    queryKey: ['users', deferred],
    queryFn: () => ok(api.GET('/api/v1/users', { params: { query: { q: deferred, limit: 20 } } })),
    enabled: deferred.length > 0,
  });
  const users = (data?.items ?? []).filter((user) => user.id !== me.id && !exclude.includes(user.id));
  return (
    <div className="user-search">
      <label htmlFor={id}>{t('people.search')}</label>
      <input id={id} type="search" value={query} placeholder={t('people.searchPlaceholder')} onChange={(event) => setQuery(event.target.value)} autoFocus />
      {deferred && !isFetching && users.length === 0 && <p>{t('people.noResults')}</p>}
      <ul className="people-list">
        {users.map((user) => (
          <li key={user.id} className="person" data-testid="user-result" data-user-id={user.id}>
            <Avatar user={user} size={32} />
            <span className="person-name">
              {nameOf(user)} <span className="muted">@{user.username}</span>
            </span>
            {actions(user)}
          </li>
        ))}
      </ul>
    </div>
  );
}
