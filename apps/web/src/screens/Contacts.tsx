import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Virtuoso } from 'react-virtuoso';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Contact } from '../api/types';
import { Avatar, nameOf, usePresence } from '../ui/people';
import { useStartDirect } from './NewChat';
import { UserSearch } from './UserSearch';
import { Icon } from '../ui/icons';

export default function Contacts() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { data } = useQuery({ queryKey: keys.contacts, queryFn: () => ok(api.GET('/api/v1/contacts')) });
  const add = useMutation({
    mutationFn: (userId: string) => ok(api.PUT('/api/v1/contacts/{userId}', { params: { path: { userId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.contacts }),
  });
  const contacts = data?.items ?? [];
  return (
    <section className="page" aria-labelledby="contacts-title">
      <header className="pane-header">
        <h1 id="contacts-title">{t('contacts.title')}</h1>
      </header>
      <section className="card">
        <UserSearch
          exclude={contacts.map((contact) => contact.id)}
          actions={(user) => (
            <button type="button" onClick={() => add.mutate(user.id)} aria-label={`${t('contacts.add')}: ${nameOf(user)}`}>
              {t('contacts.add')}
            </button>
          )}
        />
      </section>
      {data && contacts.length === 0 && <p>{t('contacts.empty')}</p>}
      {contacts.length > 0 && (
        <Virtuoso
          className="contacts-scroller"
          useWindowScroll={false}
          style={{ height: Math.min(contacts.length * 56, 560) }}
          data={contacts}
          computeItemKey={(_, contact) => contact.id}
          itemContent={(_, contact) => <ContactRow contact={contact} />}
        />
      )}
    </section>
  );
}

function ContactRow({ contact }: { contact: Contact }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const start = useStartDirect();
  const presence = usePresence(contact);
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/contacts/{userId}', { params: { path: { userId: contact.id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.contacts }),
  });
  return (
    <div className="person" data-testid="contact" data-user-id={contact.id}>
      <Avatar user={contact} size={36} presence={presence} />
      <span className="person-name">
        {nameOf(contact)} <span className="muted">@{contact.username}</span>
        {contact.statusText && <span className="muted"> · {contact.statusText}</span>}
      </span>
      <button type="button" onClick={() => void start(contact.id)} aria-label={`${t('people.startChat')}: ${nameOf(contact)}`}>
        {t('people.startChat')}
      </button>
      <button type="button" className="danger" onClick={() => remove.mutate()} aria-label={t('contacts.remove', { name: nameOf(contact) })}>
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
