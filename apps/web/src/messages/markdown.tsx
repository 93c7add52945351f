import { Fragment, isValidElement, type ReactNode } from 'react';

/*
 * A small, safe Markdown subset for message bodies, parsed straight into React elements:
 * **bold**, *italic* or _italic_, ~~strike~~, `inline code`, ``` code blocks ```, > quotes,
 * - and 1. lists, [text](url) and bare http(s) links, and @mentions. No HTML from the body is
 * ever interpreted (React escapes every string), and only http:, https: and mailto: links are
 * clickable: `javascript:`, `data:` and anything else is shown as plain text.
 */

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL if it may be a link target, else null. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

type Inline = { pattern: RegExp; render: (match: RegExpExecArray, key: string, mentionClass: (name: string) => string) => ReactNode };

// Order matters: code first (nothing inside it is parsed), then links, then emphasis.
const inlineRules: Inline[] = [
  { pattern: /`([^`\n]+)`/y, render: (m, key) => <code key={key}>{m[1]}</code> },
  {
    pattern: /\[([^\]\n]+)\]\(([^)\s]+)\)/y,
    render: (m, key, mentionClass) => {
      const href = safeHref(m[2]!);
      return href ? (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer">
          {parseInline(m[1]!, key, mentionClass)}
        </a>
      ) : (
        <Fragment key={key}>{m[0]}</Fragment>
      );
    },
  },
  {
    pattern: /https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/y,
    render: (m, key) => {
      const href = safeHref(m[0]);
      return href ? (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer">
          {m[0]}
        </a>
      ) : (
        <Fragment key={key}>{m[0]}</Fragment>
      );
    },
  },
  { pattern: /\*\*(?=\S)([^\n]*?\S)\*\*/y, render: (m, key, mc) => <strong key={key}>{parseInline(m[1]!, key, mc)}</strong> },
  { pattern: /~~(?=\S)([^\n]*?\S)~~/y, render: (m, key, mc) => <s key={key}>{parseInline(m[1]!, key, mc)}</s> },
  { pattern: /\*(?=\S)([^*\n]*?\S)\*/y, render: (m, key, mc) => <em key={key}>{parseInline(m[1]!, key, mc)}</em> },
  { pattern: /(?<![\p{L}\p{N}])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}])/uy, render: (m, key, mc) => <em key={key}>{parseInline(m[1]!, key, mc)}</em> },
  {
    pattern: /(?<![\p{L}\p{N}_.])@([a-z0-9_.]{3,32})/iuy,
    render: (m, key, mentionClass) => (
      <span key={key} className={mentionClass(m[1]!.toLowerCase())}>
        {m[0]}
      </span>
    ),
  },
];

/** Inline markup of one line (or a link's text). */
function parseInline(text: string, keyPrefix: string, mentionClass: (name: string) => string): ReactNode[] {
  const out: ReactNode[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    let matched = false;
    for (const rule of inlineRules) {
      rule.pattern.lastIndex = i;
      const match = rule.pattern.exec(text);
      if (match) {
        if (plain) out.push(plain);
        plain = '';
        out.push(rule.render(match, `${keyPrefix}.${i}`, mentionClass));
        i += match[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      plain += text[i];
      i += 1;
    }
  }
  if (plain) out.push(plain);
  return out;
}

function withBreaks(lines: string[], key: string, mentionClass: (name: string) => string): ReactNode[] {
  return lines.flatMap((line, index) => [...(index > 0 ? [<br key={`${key}.br${index}`} />] : []), ...parseInline(line, `${key}.${index}`, mentionClass)]);
}

const listItem = /^\s*(?:[-*+]|(\d{1,9})[.)])\s+(.*)$/;

/** The body as React elements. `mentionClass` styles @mentions (e.g. the viewer's own). */
export function renderMarkdown(body: string, mentionClass: (name: string) => string = () => 'mention'): ReactNode[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const blocks: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const key = `b${i}`;
    if (line.trimStart().startsWith('```')) {
      const code: string[] = [];
      i += 1;
      while (i < lines.length && !lines[i]!.trimStart().startsWith('```')) code.push(lines[i++]!);
      i += 1; // the closing fence (or the end)
      blocks.push(
        <pre key={key}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
    } else if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) quoted.push(lines[i++]!.replace(/^\s*> ?/, ''));
      blocks.push(<blockquote key={key}>{renderMarkdown(quoted.join('\n'), mentionClass)}</blockquote>);
    } else if (listItem.test(line)) {
      const ordered = Boolean(listItem.exec(line)![1]);
      const items: string[] = [];
      let match: RegExpExecArray | null;
      while (i < lines.length && (match = listItem.exec(lines[i]!)) && Boolean(match[1]) === ordered) {
        items.push(match[2]!);
        i += 1;
      }
      const children = items.map((item, index) => <li key={index}>{parseInline(item, `${key}.${index}`, mentionClass)}</li>);
      blocks.push(ordered ? <ol key={key}>{children}</ol> : <ul key={key}>{children}</ul>);
    } else if (line.trim() === '') {
      i += 1;
    } else {
      const paragraph: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '' && !lines[i]!.trimStart().startsWith('```') && !/^\s*>/.test(lines[i]!) && !listItem.test(lines[i]!)) {
        paragraph.push(lines[i++]!);
      }
      blocks.push(<p key={key}>{withBreaks(paragraph, key, mentionClass)}</p>);
    }
  }
  return blocks;
}

/** Elements that stand apart from their neighbours: a space around their text keeps words from running together. */
const SEPARATED = new Set(['p', 'pre', 'blockquote', 'ul', 'ol', 'li', 'br']);

/** The text rendered elements show, their markup gone (links keep their text, code its content). */
function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (!isValidElement<{ children?: ReactNode }>(node)) return '';
  const inner = textOf(node.props.children);
  return typeof node.type === 'string' && SEPARATED.has(node.type) ? ` ${inner} ` : inner;
}

/**
 * The body as plain text on one line, the way it reads once rendered: what the Markdown
 * renderer shows, without its markup. Emphasis markers left unpaired (a body cut short by the
 * server, as previews and search snippets are) are dropped too.
 */
export function markdownToPlain(body: string): string {
  return textOf(renderMarkdown(body))
    .replace(/\*\*|~~|`+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One line of plain text for previews (chat list, replies, notifications), at most `max` characters. */
export function plainPreview(body: string, max = 120): string {
  const text = markdownToPlain(body);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
