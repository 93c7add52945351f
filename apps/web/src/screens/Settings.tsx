import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Me, MyStatus } from '../api/types';
import { upload } from '../api/upload';
import { useServices, useSession } from '../app/session';
import { formatDateTime } from '../lib/format';
import { currentPushSubscription, pushSupported, subscribeToPush, unsubscribeFromPush } from '../lib/push';
import { Avatar } from '../ui/people';
import { LanguagePicker } from './LanguagePicker';
import { field } from '../lib/form';
import { Icon } from '../ui/icons';

const STATUSES: MyStatus[] = ['online', 'away', 'dnd', 'invisible'];

/** Profile, status, language, push, sessions and sign-out. */
export default function Settings() {
  const { t } = useTranslation();
  const { signOut } = useSession();
  return (
    <section className="page" aria-labelledby="settings-title">
      <header className="pane-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
      </header>
      <Profile />
      <StatusForm />
      <section className="card">
        <h2>{t('settings.language')}</h2>
        <LanguagePicker />
      </section>
      <PushToggle />
      <Sessions />
      <button type="button" className="danger" onClick={() => void signOut()}>
        {t('nav.signOut')}
      </button>
    </section>
  );
}

function useMe() {
  const { me } = useServices();
  return useQuery({ queryKey: keys.me, queryFn: () => ok(api.GET('/api/v1/users/me')), initialData: me });
}

function Profile() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { data: me } = useMe();
  const [status, setStatus] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const saved = (profile: Me) => {
    client.setQueryData(keys.me, profile);
    client.setQueryData(keys.user(profile.id), profile);
    setStatus(t('settings.saved'));
  };
  const save = useMutation({
    mutationFn: (change: { displayName: string; bio: string }) => ok(api.PATCH('/api/v1/users/me', { body: change })),
    onSuccess: saved,
    onError: (error) => setStatus(t('errors.generic', { detail: error.message })),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ displayName: field(form, 'displayName').trim(), bio: field(form, 'bio') });
  };
  const changeAvatar = async (file: File | undefined) => {
    if (!file) return;
    try {
      setProgress(0);
      saved(await upload<Me>('/api/v1/users/me/avatar', file, { method: 'PUT', onProgress: setProgress }));
    } catch (error) {
      setStatus(t('errors.generic', { detail: error instanceof Error ? error.message : String(error) }));
    } finally {
      setProgress(null);
    }
  };
  return (
    <section className="card">
      <h2>{t('settings.profile')}</h2>
      <div className="row">
        <Avatar user={me} size={64} />
        <label className="button-link">
          {t('settings.changeAvatar')}
          <input type="file" accept="image/png,image/jpeg,image/webp" className="visually-hidden" onChange={(event) => void changeAvatar(event.target.files?.[0])} />
        </label>
        {progress !== null && <progress max={1} value={progress} aria-label={t('settings.avatar')} />}
      </div>
      <form className="stack" onSubmit={submit}>
        <label>
          {t('settings.displayName')}
          <input name="displayName" defaultValue={me.displayName} required maxLength={64} />
        </label>
        <label>
          {t('settings.bio')}
          <textarea name="bio" defaultValue={me.bio} maxLength={500} />
        </label>
        <button type="submit" className="primary">
          {t('settings.save')}
        </button>
      </form>
      <p role="status" aria-live="polite" className="status-line">
        {status}
      </p>
    </section>
  );
}

function StatusForm() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { data: me } = useMe();
  const [status, setStatus] = useState<MyStatus>(me.status === 'offline' ? 'online' : me.status);
  const [text, setText] = useState(me.statusText ?? '');
  const save = useMutation({
    mutationFn: () => ok(api.PUT('/api/v1/users/me/status', { body: { status: status === 'offline' ? 'online' : status, ...(text ? { text } : {}) } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.me }),
  });
  return (
    <section className="card">
      <h2>{t('settings.status')}</h2>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <fieldset className="row">
          <legend className="visually-hidden">{t('settings.status')}</legend>
          {STATUSES.map((value) => (
            <label key={value} className="radio">
              <input type="radio" name="status" value={value} checked={status === value} onChange={() => setStatus(value)} />
              {t(`people.status.${value}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t('settings.statusText')}
          <input value={text} onChange={(event) => setText(event.target.value)} maxLength={100} />
        </label>
        <button type="submit">{t('settings.setStatus')}</button>
        {save.isSuccess && <p role="status">{t('settings.saved')}</p>}
      </form>
    </section>
  );
}

function PushToggle() {
  const { t } = useTranslation();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void currentPushSubscription().then((subscription) => setEnabled(Boolean(subscription)));
  }, []);
  const toggle = async () => {
    setError(null);
    try {
      if (enabled) await unsubscribeFromPush();
      else await subscribeToPush();
      setEnabled(!enabled);
    } catch (failure) {
      setError(failure instanceof Error && failure.message === 'permission' ? t('notifications.pushDenied') : t('errors.generic', { detail: String(failure) }));
    }
  };
  return (
    <section className="card">
      <h2>{t('notifications.push')}</h2>
      {!pushSupported() ? (
        <p>{t('notifications.pushUnsupported')}</p>
      ) : (
        <>
          {enabled && <p>{t('notifications.pushEnabled')}</p>}
          <button type="button" onClick={() => void toggle()} disabled={enabled === null}>
            {enabled ? t('notifications.pushOff') : t('notifications.pushOn')}
          </button>
          {error && <p role="alert">{error}</p>}
        </>
      )}
    </section>
  );
}

function Sessions() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { data } = useQuery({ queryKey: keys.sessions, queryFn: () => ok(api.GET('/api/v1/auth/sessions')) });
  const revoke = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.sessions }),
  });
  return (
    <section className="card">
      <h2>{t('settings.sessions')}</h2>
      <ul className="sessions" data-testid="sessions">
        {data?.items.map((session) => (
          <li key={session.id} className="session" data-testid="session" data-session-id={session.id}>
            <span>
              <strong>{session.device || t('settings.unknownDevice')}</strong> <span className="muted">{session.ip}</span>
              <br />
              {session.current ? t('settings.thisDevice') : t('settings.lastUsed', { when: formatDateTime(session.lastUsedAt) })}
            </span>
            {!session.current && (
              <button
                type="button"
                className="danger"
                onClick={() => revoke.mutate(session.id)}
                aria-label={t('settings.revoke', { device: session.device || t('settings.unknownDevice') })}
              >
                <Icon name="close" size={16} />
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
