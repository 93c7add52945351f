import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { PublicUser } from '../api/types';
import { Dialog } from '../ui/Dialog';
import { nameOf } from '../ui/people';
import { UserSearch } from './UserSearch';
import { field } from '../lib/form';
import { Icon } from '../ui/icons';

export function useStartDirect() {
  const client = useQueryClient();
  const navigate = useNavigate();
  return async (userId: string) => {
    const conversation = await ok(api.POST('/api/v1/conversations/direct', { body: { userId } }));
    await client.invalidateQueries({ queryKey: keys.conversations });
    await navigate(`/c/${conversation.id}`);
  };
}

export function NewDirectDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const start = useStartDirect();
  return (
    <Dialog title={t('chats.newDirect')} onClose={onClose}>
      <UserSearch
        actions={(user) => (
          <button
            type="button"
            onClick={() => {
              onClose();
              void start(user.id);
            }}
            aria-label={`${t('people.startChat')}: ${nameOf(user)}`}
          >
            {t('people.startChat')}
          </button>
        )}
      />
    </Dialog>
  );
}

export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [picked, setPicked] = useState<PublicUser[]>([]);
  const [error, setError] = useState<string | null>(null);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = field(form, 'description').trim();
    try {
      const group = await ok(
        api.POST('/api/v1/groups', {
          body: { name: field(form, 'name').trim(), ...(description ? { description } : {}), memberIds: picked.map((user) => user.id) },
        }),
      );
      await client.invalidateQueries({ queryKey: keys.conversations });
      onClose();
      await navigate(`/c/${group.id}`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  return (
    <Dialog title={t('chats.newGroup')} onClose={onClose} wide>
      <form onSubmit={(event) => void create(event)} className="stack">
        <label>
          {t('group.name')}
          <input name="name" required maxLength={100} autoFocus />
        </label>
        <label>
          {t('group.description')}
          <input name="description" maxLength={500} />
        </label>
        <fieldset>
          <legend>{t('group.addMembers')}</legend>
          <p aria-live="polite">{t('group.selected', { count: picked.length })}</p>
          <ul className="chips">
            {picked.map((user) => (
              <li key={user.id}>
                {nameOf(user)}{' '}
                <button
                  type="button"
                  className="icon-button"
                  onClick={() => setPicked((current) => current.filter((item) => item.id !== user.id))}
                  aria-label={t('group.remove', { name: nameOf(user) })}
                >
                  <Icon name="close" size={16} />
                </button>
              </li>
            ))}
          </ul>
          <UserSearch
            exclude={picked.map((user) => user.id)}
            actions={(user) => (
              <button type="button" onClick={() => setPicked((current) => [...current, user])} aria-label={`${t('group.add')}: ${nameOf(user)}`}>
                {t('group.add')}
              </button>
            )}
          />
        </fieldset>
        {error && <p role="alert">{error}</p>}
        <button type="submit" className="primary">
          {t('group.create')}
        </button>
      </form>
    </Dialog>
  );
}
