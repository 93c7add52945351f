import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import { Icon } from '../ui/icons';

/** Loads the notifications (shared with the notifications screen) and shows the unread count. */
export function useNotifications() {
  return useQuery({
    queryKey: keys.notifications,
    queryFn: () => ok(api.GET('/api/v1/notifications', { params: { query: { limit: 100 } } })),
  });
}

export function NotificationsBadge() {
  const { t } = useTranslation();
  const { data } = useNotifications();
  const unread = data?.items.filter((item) => !item.readAt).length ?? 0;
  const label = unread > 0 ? `${t('nav.notifications')}: ${t('notifications.unread', { count: unread })}` : t('nav.notifications');
  return (
    <span aria-label={label} role="img" className="badge-host">
      <Icon name="bell" size={24} />
      {unread > 0 && (
        <span className="badge" data-testid="notifications-unread" aria-hidden="true">
          {unread}
        </span>
      )}
    </span>
  );
}
