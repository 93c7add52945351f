/** How much of a long body a snippet shows around the first match (partial-word hits). */
const BEFORE = 60;
const AFTER = 140;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe to put in HTML: & < > " ' as entities (the same five the SQL side escapes). */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The snippet of a hit: HTML whose only markup is <mark>…</mark> around what matched; every
 * character of the message itself is escaped.
 * - `headline` is PostgreSQL's ts_headline over the already escaped body (full-text hits),
 *   used when it marked something.
 * - Otherwise (partial-word hits: "meet" in "meetings"), every case-insensitive occurrence of
 *   the query is marked in a window around the first one; "… " / " …" show where it was cut.
 */
export function buildSnippet(body: string, query: string, headline: string | null): string {
  if (headline?.includes('<mark>')) return headline.trim();
  const needle = query.trim();
  const pattern = new RegExp(escapeRegExp(needle), 'giu');
  const first = needle ? body.search(pattern) : -1;
  const from = first < 0 ? 0 : Math.max(0, first - BEFORE);
  const to = first < 0 ? BEFORE + AFTER : first + needle.length + AFTER;
  const { text, cutStart, cutEnd } = slice(body, from, to);
  return `${cutStart ? '… ' : ''}${first < 0 ? escapeHtml(text) : markAll(text, pattern)}${cutEnd ? ' …' : ''}`;
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
