import type { Message } from '../api/types';

/**
 * A conversation's loaded stretch of history, oldest first. `hasOlder`: there is history above
 * (infinite scroll up); `hasNewer`: the stretch does not reach the newest message (after a jump
 * to an old search hit), so live messages are not appended until it is scrolled to the end.
 */
export interface Timeline {
  items: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

export const emptyTimeline: Timeline = { items: [], hasOlder: false, hasNewer: false };

/**
 * Which of two copies of one message to keep. Pages and live frames can arrive in any order, so
 * a deletion is never undone by an older copy and a later edit beats an earlier one; otherwise
 * the incoming copy (newer reactions) wins.
 */
function newerCopy(existing: Message, incoming: Message): Message {
  if (existing.deletedAt && !incoming.deletedAt) return existing;
  if (existing.editedAt && incoming.editedAt && existing.editedAt > incoming.editedAt) return existing;
  if (existing.editedAt && !incoming.editedAt && !incoming.deletedAt) return { ...incoming, body: existing.body, editedAt: existing.editedAt };
  return incoming;
}

/**
 * Merges messages into a sorted list: one entry per message id (and per seq, which is unique
 * within a conversation), oldest first. This is what keeps a message that arrives both live and
 * in a fetched page from showing twice.
 */
export function mergeMessages(items: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return items as Message[];
  const byId = new Map<string, Message>();
  for (const message of items) byId.set(message.id, message);
  for (const message of incoming) {
    const existing = byId.get(message.id);
    byId.set(message.id, existing ? newerCopy(existing, message) : message);
  }
  const bySeq = new Map<number, Message>();
  for (const message of byId.values()) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export const lastSeqOf = (timeline: Timeline): number => timeline.items.at(-1)?.seq ?? 0;

/**
 * The seq up to which nothing is missing. Seqs are gapless within a conversation (tombstones
 * included, docs/messages.md), so a hole in the loaded run means frames were missed; a gap
 * fill starts after the run that has none.
 */
export function contiguousEndOf(timeline: Timeline): number {
  const { items } = timeline;
  if (items.length === 0) return 0;
  let end = items[0]!.seq;
  for (const message of items) {
    if (message.seq > end + 1) break;
    end = message.seq;
  }
  return end;
}
export const firstSeqOf = (timeline: Timeline): number | undefined => timeline.items[0]?.seq;

/** The newest page (no before/after): newest first from the API. */
export function fromNewestPage(page: { items: Message[]; nextCursor: string | null }): Timeline {
  return { items: mergeMessages([], page.items), hasOlder: page.nextCursor !== null, hasNewer: false };
}

/** A page fetched with ?before=: older history above what is loaded. */
export function withOlderPage(timeline: Timeline, page: { items: Message[]; nextCursor: string | null }): Timeline {
  return { ...timeline, items: mergeMessages(timeline.items, page.items), hasOlder: page.nextCursor !== null };
}

/** A page fetched with ?after= (gap fill, or scrolling down after a jump). */
export function withNewerPage(timeline: Timeline, page: { items: Message[]; nextCursor: string | null }): Timeline {
  return { ...timeline, items: mergeMessages(timeline.items, page.items), hasNewer: timeline.hasNewer && page.nextCursor !== null };
}

export type LiveResult = { timeline: Timeline; gapAfter?: number };

/**
 * A live `message.created`/`message.updated`. A new message more than one past the newest
 * loaded means frames were missed: it is kept, and the caller fetches the gap after the old
 * newest seq. While the stretch does not reach the newest message nothing is appended: the
 * message is fetched when scrolled to.
 */
export function withLiveMessage(timeline: Timeline, message: Message): LiveResult {
  const known = timeline.items.some((item) => item.id === message.id);
  if (known) return { timeline: { ...timeline, items: mergeMessages(timeline.items, [message]) } };
  if (timeline.hasNewer) return { timeline };
  const last = lastSeqOf(timeline);
  // Older than the loaded stretch: it belongs to history not shown yet, fetched when scrolled to.
  if (message.seq < (firstSeqOf(timeline) ?? 0)) return { timeline };
  const next = { ...timeline, items: mergeMessages(timeline.items, [message]) };
  return message.seq > last + 1 && timeline.items.length > 0 ? { timeline: next, gapAfter: last } : { timeline: next };
}

/** Applies a change to one message if it is loaded. */
export function updateMessage(timeline: Timeline, messageId: string, change: (message: Message) => Message): Timeline {
  const index = timeline.items.findIndex((item) => item.id === messageId);
  if (index < 0) return timeline;
  const items = timeline.items.slice();
  items[index] = change(items[index]!);
  return { ...timeline, items };
}

export function withDeletion(timeline: Timeline, messageId: string, deletedAt: string): Timeline {
  return updateMessage(timeline, messageId, (message) => ({ ...message, body: '', attachments: [], reactions: [], deletedAt }));
}

/** A `reaction.updated`: the count is absolute, `me` flips only for the viewer's own reactions. */
export function withReaction(
  timeline: Timeline,
  change: { messageId: string; emoji: string; count: number; userId: string; action: 'added' | 'removed' },
  myId: string,
): Timeline {
  return updateMessage(timeline, change.messageId, (message) => {
    const existing = message.reactions.find((reaction) => reaction.emoji === change.emoji);
    const me = change.userId === myId ? change.action === 'added' : (existing?.me ?? false);
    const others = message.reactions.filter((reaction) => reaction.emoji !== change.emoji);
    const reactions = change.count > 0 ? [...others, { emoji: change.emoji, count: change.count, me }] : others;
    if (existing && change.count > 0) reactions.sort((a, b) => indexOf(message, a.emoji) - indexOf(message, b.emoji));
    return { ...message, reactions };
  });
}

const indexOf = (message: Message, emoji: string): number => {
  const index = message.reactions.findIndex((reaction) => reaction.emoji === emoji);
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
};
