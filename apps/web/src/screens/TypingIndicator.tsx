import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLive } from '../realtime/live-state';
import { useNames } from '../ui/people';

const EMPTY: Record<string, number> = {};

export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const typing = useLive((state) => state.typing[conversationId] ?? EMPTY);
  const userIds = useMemo(() => Object.keys(typing), [typing]);
  const names = useNames(userIds);
  return (
    <div className="typing" aria-live="polite" data-testid="typing-indicator">
      {userIds.length > 0 && t('conversation.typing', { count: userIds.length, names: userIds.map((id) => names.get(id) ?? '…').join(', ') })}
    </div>
  );
}
