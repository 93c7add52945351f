import { useQueries } from '@tanstack/react-query';
import { useImperativeHandle, useRef, useState, type ClipboardEvent, type KeyboardEvent, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Message, PublicUser, UploadedFile } from '../api/types';
import { upload } from '../api/upload';
import { useServices } from '../app/session';
import { plainPreview } from '../messages/markdown';
import { nameOf, UserName } from '../ui/people';
import { Icon } from '../ui/icons';

/** Typing notices go out at most this often while the person types (the server relays one per 2 s). */
const TYPING_EVERY_MS = 3_000;

interface PendingFile {
  localId: string;
  file: File;
  progress: number;
  uploaded?: UploadedFile;
  error?: string;
}

export interface ComposerHandle {
  addFiles: (files: File[]) => void;
  focus: () => void;
}

interface ComposerProps {
  conversationId: string;
  memberIds: string[];
  replyTo: Message | null;
  onCancelReply: () => void;
  onSent: () => void;
  ref?: Ref<ComposerHandle>;
}

/** The @word being typed just before the caret, if any. */
function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|\s)@([\p{L}\p{N}_.]{0,32})$/u.exec(text.slice(0, caret));
  return match ? { start: caret - match[1]!.length - 1, query: match[1]!.toLowerCase() } : null;
}

export function Composer({ conversationId, memberIds, replyTo, onCancelReply, onSent, ref }: ComposerProps) {
  const { t } = useTranslation();
  const { outbox, realtime, me } = useServices();
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [selected, setSelected] = useState(0);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);

  const profiles = useQueries({
    queries: memberIds
      .filter((id) => id !== me.id)
      .map((id) => ({ queryKey: keys.user(id), queryFn: () => ok(api.GET('/api/v1/users/{id}', { params: { path: { id } } })), staleTime: 5 * 60_000 })),
  });
  const members = profiles.map((query) => query.data).filter((user): user is PublicUser => Boolean(user));
  const suggestions = mention
    ? members.filter((user) => user.username.toLowerCase().startsWith(mention.query) || user.displayName.toLowerCase().startsWith(mention.query)).slice(0, 6)
    : [];

  const addFiles = (added: File[]) => {
    for (const file of added) {
      const localId = crypto.randomUUID();
      setFiles((current) => [...current, { localId, file, progress: 0 }]);
      const patch = (change: Partial<PendingFile>) => setFiles((current) => current.map((item) => (item.localId === localId ? { ...item, ...change } : item)));
      upload<UploadedFile>('/api/v1/files', file, { onProgress: (progress) => patch({ progress }) }).then(
        (uploaded) => patch({ uploaded, progress: 1 }),
        (error: unknown) => patch({ error: error instanceof Error ? error.message : String(error) }),
      );
    }
  };

  useImperativeHandle(ref, () => ({ addFiles, focus: () => textarea.current?.focus() }));

  const uploading = files.some((file) => !file.uploaded && !file.error);
  const ready = files.filter((file) => file.uploaded);

  const send = () => {
    const text = body.trim();
    if (uploading || (!text && ready.length === 0)) return;
    // An attachment-only message still needs a body (1 to 10,000 characters): its file names.
    const messageBody = text || ready.map((file) => file.file.name).join(', ');
    void outbox.enqueue({ conversationId, body: messageBody, replyToId: replyTo?.id ?? null, attachmentIds: ready.map((file) => file.uploaded!.id) });
    setBody('');
    setFiles([]);
    setMention(null);
    onCancelReply();
    onSent();
  };

  const complete = (user: PublicUser) => {
    if (!mention) return;
    const caret = textarea.current?.selectionStart ?? body.length;
    const next = `${body.slice(0, mention.start)}@${user.username} ${body.slice(caret)}`;
    setBody(next);
    setMention(null);
    requestAnimationFrame(() => {
      const position = mention.start + user.username.length + 2;
      textarea.current?.setSelectionRange(position, position);
      textarea.current?.focus();
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setSelected((index) => (index + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        complete(suggestions[Math.min(selected, suggestions.length - 1)]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setMention(null);
        return;
      }
    }
    if (event.key === 'Escape' && replyTo) onCancelReply();
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const onChange = (value: string, caret: number) => {
    setBody(value);
    setMention(mentionAt(value, caret));
    setSelected(0);
    const now = Date.now();
    if (value && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      realtime.sendTyping(conversationId);
    }
  };

  const onPaste = (event: ClipboardEvent) => {
    const pasted = [...event.clipboardData.files];
    if (pasted.length > 0) {
      event.preventDefault();
      addFiles(pasted);
    }
  };

  const listId = `mentions-${conversationId}`;
  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {replyTo && (
        <div className="composer-reply">
          <span>
            {t('conversation.replyingTo')}{' '}
            <strong>
              <UserName userId={replyTo.senderId} />
            </strong>
            : {plainPreview(replyTo.body, 80)}
          </span>
          <button type="button" className="icon-button" onClick={onCancelReply} aria-label={t('conversation.cancelReply')}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {files.length > 0 && (
        <ul className="composer-files">
          {files.map((file) => (
            <li key={file.localId}>
              <span>{file.file.name}</span>
              {file.error ? (
                <span role="alert" className="error">
                  {t('conversation.uploadFailed', { name: file.file.name })}
                </span>
              ) : (
                !file.uploaded && (
                  <progress
                    max={1}
                    value={file.progress}
                    aria-label={t('conversation.uploading', { name: file.file.name, percent: Math.round(file.progress * 100) })}
                    data-testid="upload-progress"
                  />
                )
              )}
              <button
                type="button"
                className="icon-button"
                onClick={() => setFiles((current) => current.filter((item) => item.localId !== file.localId))}
                aria-label={t('conversation.removeAttachment', { name: file.file.name })}
              >
                <Icon name="close" size={16} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <label className="icon-button file-button" title={t('conversation.attach')}>
          <Icon name="paperclip" />
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-label={t('conversation.attach')}
            onChange={(event) => {
              addFiles([...(event.target.files ?? [])]);
              event.target.value = '';
            }}
          />
        </label>
        <div className="composer-input">
          <textarea
            ref={textarea}
            rows={1}
            value={body}
            aria-label={t('conversation.composer')}
            placeholder={t('conversation.composerPlaceholder')}
            maxLength={10_000}
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={suggestions.length > 0}
            aria-controls={listId}
            aria-activedescendant={suggestions.length > 0 ? `${listId}-${Math.min(selected, suggestions.length - 1)}` : undefined}
            onChange={(event) => onChange(event.target.value, event.target.selectionStart)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
          />
          <ul id={listId} role="listbox" aria-label={t('conversation.mentionSuggestions')} className="mention-list" hidden={suggestions.length === 0}>
            {suggestions.map((user, index) => (
              <li
                key={user.id}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === selected}
                onMouseDown={(event) => {
                  event.preventDefault();
                  complete(user);
                }}
              >
                {nameOf(user)} <span className="muted">@{user.username}</span>
              </li>
            ))}
          </ul>
        </div>
        <button type="submit" className="primary" disabled={uploading}>
          {t('conversation.send')}
        </button>
      </div>
    </form>
  );
}
