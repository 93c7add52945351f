import type { ReactNode } from 'react';
import { markdownToPlain } from './markdown';

/*
 * Search snippets arrive as HTML whose only markup is <mark>…</mark>, everything else escaped
 * (services/messages search-snippet.ts), cut from the message's Markdown source. They are never
 * put in the DOM as HTML: the marks become two private-use characters, the five entities the
 * server writes are decoded, the Markdown is reduced to the plain text it renders as (so
 * `**bold**` reads "bold"), and the marks come back as <mark> elements around text.
 */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

/** Stand-ins for <mark> and </mark> while the text is stripped of Markdown (removed from the text itself first). */
const OPEN = '\uE000';
const CLOSE = '\uE001';

export function renderSnippet(snippet: string): ReactNode[] {
  const marked = snippet
    .replace(/[\uE000\uE001]/g, '')
    .split(/(<mark>[\s\S]*?<\/mark>)/)
    .map((part) => (part.startsWith('<mark>') && part.endsWith('</mark>') ? `${OPEN}${decode(part.slice(6, -7))}${CLOSE}` : decode(part)))
    .join('');
  const nodes: ReactNode[] = [];
  let inMark = false;
  // A mark whose end Markdown swallowed (a highlight inside a link's URL) closes at the next
  // opening or at the end; a stray end is ignored.
  for (const [index, part] of markdownToPlain(marked)
    .split(/([\uE000\uE001])/)
    .entries()) {
    if (part === OPEN || part === CLOSE) inMark = part === OPEN;
    else if (part) nodes.push(inMark ? <mark key={index}>{part}</mark> : part);
  }
  return nodes;
}
