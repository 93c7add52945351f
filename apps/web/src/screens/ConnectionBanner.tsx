import { useTranslation } from 'react-i18next';
import { useLive } from '../realtime/live-state';

/** Says when the live connection is down; silent while online. */
export function ConnectionBanner() {
  const status = useLive((state) => state.status);
  const { t } = useTranslation();
  if (status === 'online') return <div role="status" aria-live="polite" className="visually-hidden" data-testid="connection-banner" data-status="online" />;
  return (
    <div role="status" aria-live="polite" className={`banner banner-${status}`} data-testid="connection-banner" data-status={status}>
      {t(`connection.${status}`)}
    </div>
  );
}
