import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { Virtuoso } from 'react-virtuoso';
import type { Conversation } from '../api/types';
import { useServices } from '../app/session';
import { formatShort } from '../lib/format';
import { Avatar, usePresence, useUser } from '../ui/people';
import { useConversationTitle } from './conversation-info';
import { useConversationList } from '../messages/chat-list';
import { NewDirectDialog, NewGroupDialog } from './NewChat';
import { plainPreview } from '../messages/markdown';

export function ChatList() {
  const { t } = useTranslation();
  const { data, items, isPending, error, hasNextPage, isFetchingNextPage, fetchNextPage } = useConversationList();
  const [dialog, setDialog] = useState<'direct' | 'group' | null>(null);
  const loadMore = () => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  };
  return (
    <section className="chat-list" aria-labelledby="chats-title">
      <header className="pane-header">
        <h1 id="chats-title">{t('chats.title')}</h1>
        <div className="row">
          <button type="button" onClick={() => setDialog('direct')}>
            {t('chats.newDirect')}
          </button>
          <button type="button" onClick={() => setDialog('group')}>
            {t('chats.newGroup')}
          </button>
        </div>
      </header>
      {isPending && <p role="status">{t('app.loading')}</p>}
      {error && <p role="alert">{t('errors.generic', { detail: error.message })}</p>}
      {data && items.length === 0 && <p className="placeholder">{t('chats.empty')}</p>}
      {items.length > 0 && (
        <Virtuoso
          className="chat-list-scroller"
          data={items}
          computeItemKey={(_, item) => item.id}
          endReached={loadMore}
          increaseViewportBy={{ top: 0, bottom: 400 }}
          context={{ hasMore: Boolean(hasNextPage), loading: isFetchingNextPage, loadMore }}
          components={listComponents}
          itemContent={(_, conversation) => <ChatListItem conversation={conversation} />}
        />
      )}
      {dialog === 'direct' && <NewDirectDialog onClose={() => setDialog(null)} />}
      {dialog === 'group' && <NewGroupDialog onClose={() => setDialog(null)} />}
    </section>
  );
}

// Virtuoso wraps each row in its own element: that wrapper is the listitem, inside the list.
type DivProps = React.HTMLAttributes<HTMLDivElement> & { ref?: React.Ref<HTMLDivElement> };
const ChatListDiv = (props: DivProps) => <div {...props} role="list" data-testid="chat-list" />;
const ChatListItemDiv = ({ item: _item, context: _context, ...props }: DivProps & { item?: unknown; context?: unknown }) => <div {...props} role="listitem" />;

interface MoreContext {
  hasMore: boolean;
  loading: boolean;
  loadMore: () => void;
}

/** Below the last loaded chat: older chats load as the list scrolls there; the button does it by keyboard. */
function MoreChats({ context }: { context?: MoreContext }) {
  const { t } = useTranslation();
  if (!context?.hasMore) return null;
  return (
    <div className="list-footer">
      {context.loading ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <button type="button" onClick={context.loadMore}>
          {t('chats.loadMore')}
        </button>
      )}
    </div>
  );
}

/** Defined once: Virtuoso remounts components whose identity changes between renders. */
const listComponents = { List: ChatListDiv, Item: ChatListItemDiv, Footer: MoreChats };

function ChatListItem({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const { me } = useServices();
  const title = useConversationTitle(conversation);
  const { data: other } = useUser(conversation.type === 'direct' ? conversation.otherUserId : null);
  const presence = usePresence(other);
  const last = conversation.lastMessage;
  const preview = !last
    ? t('chats.noMessages')
    : last.deletedAt
      ? t('chats.deleted')
      : last.senderId === me.id
        ? t('chats.you', { text: plainPreview(last.body) || t('chats.attachment') })
        : plainPreview(last.body) || t('chats.attachment');
  return (
    <div className="chat-list-item" data-testid="chat-list-item" data-conversation-id={conversation.id}>
      <NavLink to={`/c/${conversation.id}`} className="chat-link">
        {conversation.type === 'direct' ? (
          <Avatar user={other} presence={presence} />
        ) : (
          <Avatar user={{ id: conversation.id, displayName: title, username: title, avatarUrl: null }} />
        )}
        <span className="chat-text">
          <span className="chat-title-row">
            <span className="chat-title">{title}</span>
            {conversation.lastMessageAt && <time dateTime={conversation.lastMessageAt}>{formatShort(conversation.lastMessageAt)}</time>}
          </span>
          <span className="chat-preview-row">
            <span className="chat-preview">{preview}</span>
            {conversation.unreadCount > 0 && (
              <span className="badge" data-testid="unread-badge" aria-label={t('chats.unread', { count: conversation.unreadCount })}>
                {conversation.unreadCount}
              </span>
            )}
          </span>
        </span>
      </NavLink>
    </div>
  );
}
