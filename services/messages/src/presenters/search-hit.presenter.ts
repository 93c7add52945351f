import { HEADLINE_MARKS } from '../db/search.repository.ts';
import type { SearchPage } from '../domain/search-messages.ts';
import { presentMessageWithParts } from './message.presenter.ts';

/** A page of search hits: each message, its snippet (HTML) and its conversation. */
export function presentSearchPage(page: SearchPage) {
  return {
    items: page.hits.map((hit) => ({
      message: presentMessageWithParts(hit),
      snippet: buildSnippet(hit.body, page.query, hit.headline),
      conversationId: hit.conversation_id,
    })),
    nextCursor: page.nextCursor,
  };
}

/** How much of a long body a snippet shows around the first match (partial-word hits). */
const BEFORE = 60;
const AFTER = 140;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe to put in HTML: & < > " ' as entities. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the body holds a character a headline marks with: its headline could not be told from the marks. */
const holdsMarks = (body: string): boolean => Object.values(HEADLINE_MARKS).some((mark) => body.includes(mark));

/**
 * The snippet of a hit: HTML whose only markup is <mark>…</mark> around what matched; every
 * character of the message itself is escaped, here and nowhere else.
 * - `headline` is PostgreSQL's ts_headline (full-text hits): plain text with HEADLINE_MARKS
 *   around the matched words, used when it marked something (and the body has none of the
 *   marking characters of its own).
 * - Otherwise (partial-word hits: "meet" in "meetings"), every case-insensitive occurrence of
 *   the query is marked in a window around the first one; "… " / " …" show where it was cut.
 */
export function buildSnippet(body: string, query: string, headline: string | null): string {
  if (headline?.includes(HEADLINE_MARKS.start) && !holdsMarks(body)) return markHeadline(headline.trim());
  const needle = query.trim();
  const pattern = new RegExp(escapeRegExp(needle), 'giu');
  const first = needle ? body.search(pattern) : -1;
  const from = first < 0 ? 0 : Math.max(0, first - BEFORE);
  const to = first < 0 ? BEFORE + AFTER : first + needle.length + AFTER;
  const { text, cutStart, cutEnd } = slice(body, from, to);
  return `${cutStart ? '… ' : ''}${first < 0 ? escapeHtml(text) : markAll(text, pattern)}${cutEnd ? ' …' : ''}`;
}

/** The headline as HTML: its text escaped, its marks as <mark>…</mark>. */
function markHeadline(headline: string): string {
  let html = '';
  for (const part of headline.replaceAll(HEADLINE_MARKS.lt, '<').split(HEADLINE_MARKS.start)) {
    const stop = part.indexOf(HEADLINE_MARKS.stop);
    html += stop < 0 ? escapeHtml(part) : `<mark>${escapeHtml(part.slice(0, stop))}</mark>${escapeHtml(part.slice(stop + 1))}`;
  }
  return html;
}

function markAll(text: string, pattern: RegExp): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    html += `${escapeHtml(text.slice(last, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

/** body[from, to), widened so no surrogate pair is split. */
function slice(body: string, from: number, to: number): { text: string; cutStart: boolean; cutEnd: boolean } {
  let start = Math.max(0, from);
  let end = Math.min(body.length, to);
  if (start > 0 && isLowSurrogate(body.charCodeAt(start))) start -= 1;
  if (end < body.length && isLowSurrogate(body.charCodeAt(end))) end += 1;
  return { text: body.slice(start, end), cutStart: start > 0, cutEnd: end < body.length };
}

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;
