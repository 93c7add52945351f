import { useQueryClient } from '@tanstack/react-query';
import { memo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Message } from '../api/types';
import { useServices } from '../app/session';
import { formatDateTime, formatDay, formatTime } from '../lib/format';
import { renderMarkdown, plainPreview } from '../messages/markdown';
import type { OutboxEntry } from '../messages/outbox';
import { updateMessage, withDeletion, type Timeline } from '../messages/timeline';
import { Confirm } from '../ui/Dialog';
import { Avatar, UserName, useUser } from '../ui/people';
import { Attachments } from './Attachments';
import { Icon } from '../ui/icons';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

/** A row of the message list: a stored message, or one still in the outbox (optimistic). */
export interface Row {
  key: string;
  message: Message;
  pending?: OutboxEntry;
  /** The first message of its day: a date separator goes above it. */
  newDay: boolean;
  /** Same sender as the row above, within a few minutes: no repeated name and avatar. */
  continued: boolean;
}

export interface MessageRowProps {
  row: Row;
  /** The message this one replies to, when it is loaded. */
  quoted: Message | undefined;
  /** The members for whom this is the newest of the viewer's messages they have read; [''] in a direct chat. */
  seenBy: string[] | null;
  highlighted: boolean;
  /** Stable callbacks, so that a new message does not re-render every row. */
  onReply: (message: Message) => void;
  onJump: (message: Message) => void;
}

const sameRow = (a: MessageRowProps, b: MessageRowProps): boolean =>
  a.row.message === b.row.message &&
  a.row.pending === b.row.pending &&
  a.row.newDay === b.row.newDay &&
  a.row.continued === b.row.continued &&
  a.quoted === b.quoted &&
  a.highlighted === b.highlighted &&
  a.onReply === b.onReply &&
  a.onJump === b.onJump &&
  (a.seenBy ?? []).join('\n') === (b.seenBy ?? []).join('\n');

export const MessageRow = memo(function MessageRow({ row, quoted, seenBy: readers, highlighted, onReply, onJump }: MessageRowProps) {
  const { t } = useTranslation();
  const { me, outbox } = useServices();
  const client = useQueryClient();
  const { message, pending } = row;
  const { data: sender } = useUser(message.senderId);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // The quick-reaction picker opens below its button, or above it when the list has no room below.
  const [picking, setPicking] = useState<'below' | 'above' | null>(null);
  const mine = message.senderId === me.id;
  const mentionClass = (name: string) => (name === me.username.toLowerCase() ? 'mention mention-me' : 'mention');

  const applyLocal = (change: (timeline: Timeline) => Timeline) =>
    client.setQueryData<Timeline>(keys.timeline(message.conversationId), (timeline) => (timeline ? change(timeline) : timeline));

  const toggleReaction = async (emoji: string) => {
    const existing = message.reactions.find((reaction) => reaction.emoji === emoji);
    const params = { params: { path: { id: message.id, emoji } } };
    if (existing?.me) await ok(api.DELETE('/api/v1/messages/{id}/reactions/{emoji}', params));
    else await ok(api.PUT('/api/v1/messages/{id}/reactions/{emoji}', params));
    // The reaction.updated frame brings the exact count; flip our own mark at once.
    applyLocal((timeline) =>
      updateMessage(timeline, message.id, (current) => {
        const others = current.reactions.filter((reaction) => reaction.emoji !== emoji);
        const count = (existing?.count ?? 0) + (existing?.me ? -1 : 1);
        return { ...current, reactions: count > 0 ? [...others, { emoji, count, me: !existing?.me }] : others };
      }),
    );
  };

  const remove = async () => {
    await ok(api.DELETE('/api/v1/messages/{id}', { params: { path: { id: message.id } } }));
    // The message.deleted frame carries the server's time; until then, now.
    applyLocal((timeline) => withDeletion(timeline, message.id, new Date().toISOString()));
  };

  const seenBy = mine && !pending ? readers : null;
  const name = sender ? sender.displayName || sender.username : '…';

  return (
    <div
      className={`message-row${mine ? ' mine' : ''}${row.continued ? ' continued' : ''}${highlighted ? ' highlighted' : ''}`}
      data-testid="message"
      data-message-id={pending ? undefined : message.id}
      data-client-message-id={message.clientMessageId}
      data-state={pending?.state ?? 'sent'}
    >
      {row.newDay && (
        <div className="day-separator" role="separator">
          <span>{formatDay(message.createdAt)}</span>
        </div>
      )}
      {/* Focusable by tap (not by Tab): on a touch screen, tapping a message shows its actions (:focus-within). */}
      <article className="message" tabIndex={-1} aria-label={`${name}, ${formatTime(message.createdAt)}`}>
        <div className="message-avatar">{!row.continued && <Avatar user={sender} size={36} />}</div>
        <div className="message-content">
          {!row.continued && (
            <header className="message-header">
              <span className="message-author">{name}</span>
              <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
                {formatTime(message.createdAt)}
              </time>
            </header>
          )}
          {message.replyToId && (
            <button type="button" className="reply-quote" onClick={() => quoted && onJump(quoted)} disabled={!quoted}>
              {quoted ? (
                <>
                  <strong>
                    <UserName userId={quoted.senderId} />
                  </strong>{' '}
                  {quoted.deletedAt ? t('conversation.deleted') : plainPreview(quoted.body, 80)}
                </>
              ) : (
                t('conversation.original')
              )}
            </button>
          )}
          {message.deletedAt ? (
            <p className="message-deleted">{t('conversation.deleted')}</p>
          ) : editing ? (
            <EditForm
              message={message}
              onDone={() => setEditing(false)}
              onSaved={(saved) => applyLocal((timeline) => updateMessage(timeline, saved.id, () => saved))}
            />
          ) : (
            <div className="message-body" data-testid="message-body">
              {renderMarkdown(message.body, mentionClass)}
              {message.editedAt && <span className="edited">({t('conversation.edited')})</span>}
            </div>
          )}
          {!message.deletedAt && <Attachments attachments={message.attachments} />}
          {message.reactions.length > 0 && (
            <div className="reactions" role="group" aria-label={t('conversation.react')}>
              {message.reactions.map((reaction) => (
                <button
                  key={reaction.emoji}
                  type="button"
                  className={reaction.me ? 'reaction mine' : 'reaction'}
                  aria-pressed={Boolean(reaction.me)}
                  aria-label={t('conversation.reaction', { emoji: reaction.emoji, count: reaction.count })}
                  onClick={() => void toggleReaction(reaction.emoji)}
                  data-testid="reaction"
                >
                  {reaction.emoji} {reaction.count}
                </button>
              ))}
            </div>
          )}
          {pending && (
            <PendingState
              entry={pending}
              onRetry={() => void outbox.retry(pending.clientMessageId)}
              onDiscard={() => void outbox.discard(pending.clientMessageId)}
            />
          )}
          {seenBy && seenBy.length > 0 && (
            <p className="seen-by" data-testid="seen-by">
              {seenBy.length === 1 && seenBy[0] === '' ? t('conversation.seen') : t('conversation.seenBy', { names: seenBy.join(', ') })}
            </p>
          )}
        </div>
        {!pending && !message.deletedAt && !editing && (
          <div className="message-actions" role="toolbar" aria-label={t('conversation.actions')}>
            <button
              type="button"
              onClick={(event) => setPicking(picking ? null : pickerPlacement(event.currentTarget))}
              aria-expanded={Boolean(picking)}
              aria-label={t('conversation.react')}
            >
              <Icon name="smile" size={18} />
            </button>
            <button type="button" onClick={() => onReply(message)} aria-label={t('conversation.reply')}>
              <Icon name="reply" size={18} />
            </button>
            {mine && (
              <button type="button" onClick={() => setEditing(true)} aria-label={t('conversation.edit')}>
                <Icon name="edit" size={18} />
              </button>
            )}
            <button type="button" onClick={() => setConfirmDelete(true)} aria-label={t('conversation.delete')}>
              <Icon name="trash" size={18} />
            </button>
            {picking && (
              <div className={`reaction-picker ${picking}`} role="group" aria-label={t('conversation.react')}>
                {QUICK_REACTIONS.map((emoji) => (
                  <button
                    key={emoji}
                    type="button"
                    onClick={() => {
                      setPicking(null);
                      void toggleReaction(emoji);
                    }}
                  >
                    {emoji}
                  </button>
                ))}
              </div>
            )}
          </div>
        )}
      </article>
      {confirmDelete && (
        <Confirm
          question={t('conversation.confirmDelete')}
          confirmLabel={t('conversation.delete')}
          onConfirm={() => void remove()}
          onClose={() => setConfirmDelete(false)}
        />
      )}
    </div>
  );
}, sameRow);

/** Room the picker needs (one row of emoji buttons and its border). */
const PICKER_HEIGHT_PX = 56;

/** Below the button if the visible part of the message list has room for the picker there, else above. */
function pickerPlacement(button: HTMLElement): 'below' | 'above' {
  const bounds = (button.closest('[data-virtuoso-scroller]') ?? document.documentElement).getBoundingClientRect();
  const bottom = Math.min(bounds.bottom, window.innerHeight);
  return button.getBoundingClientRect().bottom + PICKER_HEIGHT_PX <= bottom ? 'below' : 'above';
}

function PendingState({ entry, onRetry, onDiscard }: { entry: OutboxEntry; onRetry: () => void; onDiscard: () => void }) {
  const { t } = useTranslation();
  if (entry.state === 'failed')
    return (
      <p className="pending failed" role="alert">
        {t('conversation.failed', { error: entry.error ?? '' })}{' '}
        <button type="button" onClick={onRetry}>
          {t('conversation.retry')}
        </button>{' '}
        <button type="button" onClick={onDiscard}>
          {t('conversation.discard')}
        </button>
      </p>
    );
  return <p className="pending">{entry.state === 'sending' ? t('conversation.sending') : t('conversation.queued')}</p>;
}

function EditForm({ message, onDone, onSaved }: { message: Message; onDone: () => void; onSaved: (message: Message) => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState(message.body);
  const [error, setError] = useState<string | null>(null);
  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!body.trim()) return;
    try {
      onSaved(await ok(api.PATCH('/api/v1/messages/{id}', { params: { path: { id: message.id } }, body: { body } })));
      onDone();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <form className="edit-form" onSubmit={(event) => void save(event)}>
      <label className="visually-hidden" htmlFor={`edit-${message.id}`}>
        {t('conversation.editing')}
      </label>
      <textarea
        id={`edit-${message.id}`}
        value={body}
        autoFocus
        onChange={(event) => setBody(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone();
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            void save();
          }
        }}
      />
      {error && <p role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary">
          {t('conversation.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('conversation.cancel')}
        </button>
      </div>
    </form>
  );
}
