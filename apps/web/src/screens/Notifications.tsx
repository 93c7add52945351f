import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Notification } from '../api/types';
import { formatDateTime } from '../lib/format';
import { plainPreview } from '../messages/markdown';
import { nameOf, useUser } from '../ui/people';
import { useNotifications } from './NotificationsBadge';

export default function Notifications() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { data } = useNotifications();
  const items = data?.items ?? [];
  const unread = items.filter((item) => !item.readAt).length;
  const markRead = useMutation({
    mutationFn: (body: { ids: string[] } | { all: true }) => ok(api.POST('/api/v1/notifications/read', { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.notifications }),
  });
  return (
    <section className="page" aria-labelledby="notifications-title">
      <header className="pane-header">
        <h1 id="notifications-title">{t('notifications.title')}</h1>
        <button type="button" onClick={() => markRead.mutate({ all: true })} disabled={unread === 0}>
          {t('notifications.markAllRead')}
        </button>
      </header>
      <p role="status">{t('notifications.unread', { count: unread })}</p>
      {data && items.length === 0 && <p>{t('notifications.empty')}</p>}
      <ul className="notifications">
        {items.map((item) => (
          <NotificationRow key={item.id} item={item} onOpen={() => !item.readAt && markRead.mutate({ ids: [item.id] })} />
        ))}
      </ul>
    </section>
  );
}

function NotificationRow({ item, onOpen }: { item: Notification; onOpen: () => void }) {
  const { t } = useTranslation();
  const { data: actor } = useUser(item.actorId);
  const kind = item.kind === 'mention' || item.kind === 'direct_message' || item.kind === 'group_added' ? item.kind : 'other';
  const target = item.conversationId ?? item.groupId;
  const text = (
    <>
      <strong>{t(`notifications.kind.${kind}`, { name: nameOf(actor) })}</strong>
      {item.preview && <span className="preview"> {plainPreview(item.preview, 200)}</span>}
      <time dateTime={item.createdAt} className="muted">
        {' '}
        {formatDateTime(item.createdAt)}
      </time>
    </>
  );
  return (
    <li className={item.readAt ? 'notification' : 'notification unread'} data-testid="notification" data-notification-id={item.id}>
      {target ? (
        <Link to={`/c/${target}`} onClick={onOpen}>
          {text}
        </Link>
      ) : (
        text
      )}
    </li>
  );
}
