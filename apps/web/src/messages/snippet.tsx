import type { ReactNode } from 'react';

/*
 * Search snippets arrive as HTML whose only markup is <mark>…</mark>, everything else escaped
 * (services/messages search-snippet.ts). They are never put in the DOM as HTML: the marks are
 * split out, the five entities the server writes are decoded, and the text goes in as text.
 */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);

export function renderSnippet(snippet: string): ReactNode[] {
  return snippet.split(/(<mark>[\s\S]*?<\/mark>)/).map((part, index) =>
    part.startsWith('<mark>') && part.endsWith('</mark>') ? <mark key={index}>{decode(part.slice(6, -7))}</mark> : decode(part),
  );
}
