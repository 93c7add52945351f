import { useQuery } from '@tanstack/react-query';
import { useId, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { SearchHit } from '../api/types';
import { formatDateTime } from '../lib/format';
import { renderSnippet } from '../messages/snippet';
import { UserName } from '../ui/people';
import { useConversation, useConversationTitle } from './conversation-info';
import { field } from '../lib/form';
import { useServices } from '../app/session';

/** Message search; the query lives in the URL (?q=), so results survive reloads and back. */
export default function Search() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const id = useId();
  const { data, isFetching, error } = useQuery({
    queryKey: keys.search(q),
    queryFn: () => ok(api.GET('/api/v1/search/messages', { params: { query: { q, limit: 50 } } })),
    enabled: q.length > 0,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = field(new FormData(event.currentTarget), 'q').trim();
    setParams(value ? { q: value } : {});
  };
  return (
    <section className="page" aria-labelledby="search-title">
      <header className="pane-header">
        <h1 id="search-title">{t('search.title')}</h1>
      </header>
      <form role="search" onSubmit={submit} className="row">
        <label htmlFor={id} className="visually-hidden">
          {t('search.query')}
        </label>
        <input id={id} name="q" type="search" defaultValue={q} autoFocus />
        <button type="submit" className="primary">
          {t('search.query')}
        </button>
      </form>
      {error && <p role="alert">{t('errors.generic', { detail: error.message })}</p>}
      {data && !isFetching && <p role="status">{data.items.length === 0 ? t('search.noResults') : t('search.results', { count: data.items.length })}</p>}
      <ul className="search-results">
        {data?.items.map((hit) => (
          <SearchResult key={hit.message.id} hit={hit} />
        ))}
      </ul>
    </section>
  );
}

function SearchResult({ hit }: { hit: SearchHit }) {
  const { t } = useTranslation();
  const { me } = useServices();
  const conversation = useConversation(hit.conversationId);
  const title = useConversationTitle(conversation);
  // A direct chat is titled after the other person: "Bob in your chat with Bob" said nothing.
  const direct = conversation?.type === 'direct';
  const where =
    direct && hit.message.senderId === me.id ? (
      t('search.youInDirect', { name: title })
    ) : (
      <>
        <UserName userId={hit.message.senderId} /> {t(direct ? 'search.inDirect' : 'search.inConversation', { name: title })}
      </>
    );
  return (
    <li className="search-result" data-testid="search-result" data-message-id={hit.message.id}>
      <Link to={`/c/${hit.conversationId}?message=${hit.message.id}&seq=${hit.message.seq}`}>
        <span className="muted">
          {where} · <time dateTime={hit.message.createdAt}>{formatDateTime(hit.message.createdAt)}</time>
        </span>
        <span className="snippet">{renderSnippet(hit.snippet)}</span>
      </Link>
    </li>
  );
}
