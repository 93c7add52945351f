import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import { ApiError } from '../api/problem';
import type { Message } from '../api/types';
import { useServices } from '../app/session';
import { fetchNewest, loadAround, loadNewer, loadOlder } from '../messages/history';
import type { OutboxEntry } from '../messages/outbox';
import { seenByMessage, useReadPositions } from '../messages/reads';
import { lastSeqOf } from '../messages/timeline';
import { Avatar, useNames, usePresence, useUser } from '../ui/people';
import { Composer, type ComposerHandle } from './Composer';
import { useConversation, useConversationTitle, useGroupMembers, useMute } from './conversation-info';
import { MessageRow, type Row } from './MessageRow';
import { TypingIndicator } from './TypingIndicator';
import { AT_BOTTOM_PX, useFollowBottom } from './follow-bottom';
import { Icon } from '../ui/icons';

/** Virtuoso's index of the first row; it goes down as older history is prepended, so nothing jumps. */
const FIRST_INDEX = 1_000_000;
const CONTINUED_WITHIN_MS = 5 * 60_000;

const pendingAsMessage = (entry: OutboxEntry): Message => ({
  id: `pending:${entry.clientMessageId}`,
  conversationId: entry.conversationId,
  seq: Number.MAX_SAFE_INTEGER,
  senderId: entry.senderId,
  body: entry.body,
  clientMessageId: entry.clientMessageId,
  replyToId: entry.replyToId,
  attachments: [],
  reactions: [],
  createdAt: entry.createdAt,
  editedAt: null,
  deletedAt: null,
});

/** Stored messages, then the outbox's not yet acknowledged ones (those the server has are shown once, as stored). */
export function buildRows(messages: readonly Message[], pending: readonly OutboxEntry[]): Row[] {
  const stored = new Set(messages.map((message) => message.clientMessageId));
  const all: Array<{ message: Message; pending?: OutboxEntry }> = [
    ...messages.map((message) => ({ message })),
    ...pending.filter((entry) => !stored.has(entry.clientMessageId)).map((entry) => ({ message: pendingAsMessage(entry), pending: entry })),
  ];
  return all.map(({ message, pending: entry }, index) => {
    const previous = all[index - 1]?.message;
    const newDay = !previous || new Date(previous.createdAt).toDateString() !== new Date(message.createdAt).toDateString();
    const continued =
      !newDay &&
      previous !== undefined &&
      previous.senderId === message.senderId &&
      !message.replyToId &&
      Date.parse(message.createdAt) - Date.parse(previous.createdAt) < CONTINUED_WITHIN_MS;
    return { key: entry ? `pending:${entry.clientMessageId}` : message.id, message, pending: entry, newDay, continued };
  });
}

/** Defined once: Virtuoso remounts components whose identity changes between renders. */
function HistoryEdge({ context }: { context?: { hasOlder: boolean } }) {
  const { t } = useTranslation();
  return <p className="history-edge">{context?.hasOlder ? t('conversation.loadingOlder') : t('conversation.start')}</p>;
}
const listComponents = { Header: HistoryEdge };

export function ConversationScreen() {
  const { conversationId = '' } = useParams();
  return <ConversationView key={conversationId} conversationId={conversationId} />;
}

function ConversationView({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { me, outbox, setViewing } = useServices();
  const conversation = useConversation(conversationId);
  const title = useConversationTitle(conversation);
  const [params, setParams] = useSearchParams();
  const jumpSeq = params.get('seq');
  const jumpId = params.get('message');
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  // A jump (search hit) remounts the list opened at its target: `key` and the row to open at.
  const [opening, setOpening] = useState<{ key: number; messageId: string | null }>({ key: 0, messageId: null });
  const [atBottom, setAtBottom] = useState(true);
  const [scroller, setScroller] = useState<HTMLElement | null>(null);
  const [dragging, setDragging] = useState(false);
  const list = useRef<VirtuosoHandle>(null);
  const composer = useRef<ComposerHandle>(null);

  const timeline = useQuery({
    queryKey: keys.timeline(conversationId),
    queryFn: () => fetchNewest(conversationId),
    staleTime: Infinity,
    gcTime: 10 * 60_000,
    enabled: !jumpSeq,
  });

  const entries = useSyncExternalStore(outbox.subscribe, () => outbox.snapshot);
  const pending = useMemo(() => entries.filter((entry) => entry.conversationId === conversationId), [entries, conversationId]);
  const messages = timeline.data?.items;
  const rows = useMemo(() => buildRows(messages ?? [], pending), [messages, pending]);

  const lastSeq = timeline.data ? lastSeqOf(timeline.data) : 0;
  const { following, detachedAfter, setFollowing } = useFollowBottom(scroller, lastSeq);

  const openAt = opening.messageId ? rows.findIndex((row) => row.message.id === opening.messageId) : -1;

  // Keeps the first row's Virtuoso index stable across prepends (see FIRST_INDEX).
  const anchor = useRef<{ key: string | undefined; index: number }>({ key: undefined, index: FIRST_INDEX });
  const firstKey = rows[0]?.key;
  if (firstKey !== anchor.current.key) {
    const previousFirst = rows.findIndex((row) => row.key === anchor.current.key);
    anchor.current = { key: firstKey, index: previousFirst > 0 ? anchor.current.index - previousFirst : anchor.current.index };
  }

  // The screen's conversation does not count unread messages; tell the live layer.
  useEffect(() => {
    setViewing(conversationId);
    return () => setViewing(null);
  }, [conversationId, setViewing]);

  // A jump to a search hit: load the stretch around it, then scroll there and highlight it.
  useEffect(() => {
    if (!jumpSeq) return;
    const seq = Number(jumpSeq);
    void loadAround(client, conversationId, seq).then(() => {
      // Opened at a search hit: the user reads there, not at the bottom.
      setFollowing(false);
      setOpening((current) => ({ key: current.key + 1, messageId: jumpId }));
      setHighlighted(jumpId);
      setParams({}, { replace: true });
    });
  }, [jumpSeq, jumpId, client, conversationId, setParams, setFollowing]);

  useEffect(() => {
    if (!highlighted) return;
    const index = rows.findIndex((row) => row.message.id === highlighted);
    if (index >= 0 && highlighted !== opening.messageId) list.current?.scrollToIndex({ index, align: 'center' });
    const timer = setTimeout(() => setHighlighted(null), 4000);
    return () => clearTimeout(timer);
    // Only when a new target is set, not on every row change.
  }, [highlighted]);

  // Read receipts: the newest loaded message once it is seen at the bottom of the list.
  const newSinceDetached = useMemo(() => {
    if (detachedAfter === null || !messages) return 0;
    let count = 0;
    for (let i = messages.length - 1; i >= 0 && messages[i]!.seq > detachedAfter; i--) if (messages[i]!.senderId !== me.id) count++;
    return count;
  }, [detachedAfter, messages, me.id]);
  const followOutput = useCallback((): 'auto' | false => (following.current ? 'auto' : false), [following]);
  // Rows that grow after they are shown (a thumbnail loaded, a reaction added, an edit) push the
  // end down without new data, which followOutput does not see: keep the bottom in view.
  const keepBottom = useCallback(() => {
    if (following.current && scroller) scroller.scrollTop = scroller.scrollHeight;
  }, [following, scroller]);
  const onScroller = useCallback((element: HTMLElement | Window | null) => setScroller(element instanceof HTMLElement ? element : null), []);
  const toLatest = () => {
    setFollowing(true);
    if (timeline.data?.hasNewer) {
      // The loaded stretch is an old one: load the newest page and open the list at its end.
      void timeline.refetch().then(() => setOpening((current) => ({ key: current.key + 1, messageId: null })));
      return;
    }
    list.current?.scrollToIndex({ index: rows.length - 1, behavior: 'auto' });
  };
  const markRead = useMutation({
    mutationFn: (seq: number) => ok(api.POST('/api/v1/conversations/{id}/read', { params: { path: { id: conversationId } }, body: { seq } })),
  });
  const lastReadSeq = conversation?.lastReadSeq ?? 0;
  const unreadCount = conversation?.unreadCount ?? 0;
  useEffect(() => {
    if (!atBottom || !lastSeq || timeline.data?.hasNewer || document.visibilityState === 'hidden') return;
    if (lastSeq <= lastReadSeq && unreadCount === 0) return;
    markRead.mutate(lastSeq);
  }, [atBottom, lastSeq, lastReadSeq, unreadCount]);

  const isGroup = conversation?.type === 'group';
  const { data: memberPage } = useGroupMembers(isGroup ? conversationId : null);
  const memberIds = useMemo(
    () => (isGroup ? (memberPage?.items.map((member) => member.userId) ?? []) : conversation?.otherUserId ? [conversation.otherUserId, me.id] : []),
    [isGroup, memberPage, conversation?.otherUserId, me.id],
  );

  const { data: reads } = useReadPositions(conversationId);
  const others = useMemo(() => memberIds.filter((id) => id !== me.id), [memberIds, me.id]);
  const names = useNames(others);
  // "Seen by": each member under the newest of the viewer's messages they have read (a direct
  // chat's one reader shows as [''], "Seen"); member names, not ids, so rows compare cheaply.
  const seenBy = useMemo(() => {
    const shown = new Map<string, string[]>();
    for (const [messageId, readers] of seenByMessage(messages ?? [], reads, me.id)) {
      shown.set(messageId, isGroup ? readers.map((userId) => names.get(userId) ?? '…') : ['']);
    }
    return shown;
  }, [messages, reads, me.id, isGroup, names]);

  const onJump = useCallback((message: Message) => setHighlighted(message.id), []);
  const onReply = useCallback((message: Message) => {
    setReplyTo(message);
    composer.current?.focus();
  }, []);
  const byId = useMemo(() => new Map((messages ?? []).map((message) => [message.id, message])), [messages]);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) composer.current?.addFiles(files);
  };

  if (timeline.error && !timeline.data) {
    const gone = timeline.error instanceof ApiError && (timeline.error.status === 404 || timeline.error.status === 403);
    return (
      <div role="alert" className="centered">
        <p>{gone ? t('group.gone') : t('errors.generic', { detail: timeline.error.message })}</p>
        {!gone && (
          <button type="button" onClick={() => void timeline.refetch()}>
            {t('app.retry')}
          </button>
        )}
      </div>
    );
  }

  return (
    <section
      className="conversation"
      aria-labelledby="conversation-title"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes('Files')) {
          event.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <ConversationHeader conversationId={conversationId} title={title} />
      <div className="message-list" role="log" aria-label={t('conversation.history')} aria-live="off">
        {rows.length > 0 && !jumpSeq && (
          <Virtuoso
            key={opening.key}
            ref={list}
            data={rows}
            firstItemIndex={anchor.current.index}
            initialTopMostItemIndex={openAt >= 0 ? { index: openAt, align: 'center' } : rows.length - 1}
            computeItemKey={(_, row) => row.key}
            alignToBottom
            scrollerRef={onScroller}
            followOutput={followOutput}
            totalListHeightChanged={keepBottom}
            atBottomStateChange={setAtBottom}
            atBottomThreshold={AT_BOTTOM_PX}
            increaseViewportBy={{ top: 600, bottom: 300 }}
            startReached={() => void loadOlder(client, conversationId)}
            endReached={() => void loadNewer(client, conversationId)}
            context={{ hasOlder: timeline.data?.hasOlder ?? false }}
            components={listComponents}
            itemContent={(_, row) => (
              <MessageRow
                row={row}
                quoted={row.message.replyToId ? byId.get(row.message.replyToId) : undefined}
                seenBy={seenBy.get(row.message.id) ?? null}
                highlighted={row.message.id === highlighted}
                onReply={onReply}
                onJump={onJump}
              />
            )}
          />
        )}
        {(jumpSeq || (timeline.isPending && !timeline.data)) && <p role="status">{t('app.loading')}</p>}
        {timeline.data && rows.length === 0 && <p className="history-edge">{t('conversation.start')}</p>}
        {detachedAfter !== null && (
          <button type="button" className={newSinceDetached > 0 ? 'jump-latest has-new' : 'jump-latest'} data-testid="jump-latest" onClick={toLatest}>
            <span aria-hidden="true">↓</span>{' '}
            {newSinceDetached > 0 ? t('conversation.newMessagesCount', { count: newSinceDetached }) : t('conversation.newMessages')}
          </button>
        )}
        {dragging && <div className="drop-overlay">{t('conversation.dropHere')}</div>}
      </div>
      <TypingIndicator conversationId={conversationId} />
      <Composer
        ref={composer}
        conversationId={conversationId}
        memberIds={memberIds}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSent={() => {
          setFollowing(true);
          requestAnimationFrame(() => list.current?.scrollToIndex({ index: 'LAST', behavior: 'auto' }));
        }}
      />
    </section>
  );
}

function ConversationHeader({ conversationId, title }: { conversationId: string; title: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const conversation = useConversation(conversationId);
  const { data: other } = useUser(conversation?.type === 'direct' ? conversation.otherUserId : null);
  const presence = usePresence(other);
  const { data: mute } = useMute(conversationId);
  const { data: members } = useGroupMembers(conversation?.type === 'group' ? conversationId : null);
  const toggleMute = useMutation({
    mutationFn: (muted: boolean) => ok(api.PUT('/api/v1/notifications/settings/conversations/{id}', { params: { path: { id: conversationId } }, body: { muted } })),
    onSuccess: (answer) => client.setQueryData(keys.mute(conversationId), answer),
  });
  return (
    <header className="pane-header conversation-header">
      <Link to="/" className="back-link" aria-label={t('app.back')}>
        <Icon name="back" size={22} />
      </Link>
      {conversation?.type === 'direct' ? (
        <Avatar user={other} presence={presence} size={36} />
      ) : (
        <Avatar user={{ id: conversationId, displayName: title, username: title, avatarUrl: null }} size={36} />
      )}
      <div className="conversation-title">
        <h1 id="conversation-title">{title}</h1>
        <span className="muted">
          {conversation?.type === 'direct' ? presence && t(`people.status.${presence}`) : members && t('people.members', { count: members.items.length })}
        </span>
      </div>
      {/* At phone width the labels are visually hidden (the buttons keep them as their names): icons only. */}
      <button
        type="button"
        aria-pressed={Boolean(mute?.muted)}
        onClick={() => toggleMute.mutate(!mute?.muted)}
        disabled={!mute}
        title={mute?.muted ? t('conversation.unmute') : t('conversation.mute')}
      >
        {mute?.muted ? <Icon name="bellOff" size={18} /> : <Icon name="bell" size={18} />}
        <span className="wide-label">{mute?.muted ? t('conversation.unmute') : t('conversation.mute')}</span>
      </button>
      {conversation?.type === 'group' && (
        <Link to={`/c/${conversationId}/settings`} className="button-link" title={t('conversation.settings')}>
          <Icon name="gear" size={18} /> <span className="wide-label">{t('conversation.settings')}</span>
        </Link>
      )}
    </header>
  );
}
