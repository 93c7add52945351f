import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { plainPreview, renderMarkdown, safeHref } from './markdown';
import { renderSnippet } from './snippet';

const html = (body: string) => render(<div>{renderMarkdown(body)}</div>).container.innerHTML;

describe('message Markdown', () => {
  it('renders the subset: bold, italic, strike, code, code blocks, quotes, lists, links', () => {
    const { container } = render(
      <div>{renderMarkdown('**b** *i* _j_ ~~s~~ `c`\n```\nx < y\n```\n> quoted\n- one\n- two\n1. first\n[site](https://example.com)')}</div>,
    );
    expect(container.querySelector('strong')?.textContent).toBe('b');
    expect([...container.querySelectorAll('em')].map((node) => node.textContent)).toEqual(['i', 'j']);
    expect(container.querySelector('s')?.textContent).toBe('s');
    expect(container.querySelector('p code')?.textContent).toBe('c');
    expect(container.querySelector('pre code')?.textContent).toBe('x < y');
    expect(container.querySelector('blockquote')?.textContent).toBe('quoted');
    expect([...container.querySelectorAll('ul li')].map((node) => node.textContent)).toEqual(['one', 'two']);
    expect(container.querySelector('ol li')?.textContent).toBe('first');
    const link = container.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com/');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('never turns user text into HTML', () => {
    const out = html('<img src=x onerror=alert(1)> <script>alert(1)</script> **<b>x</b>**');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('leaves javascript:, data: and other schemes as plain text', () => {
    for (const body of [
      '[click](javascript:alert(1))',
      '[x](data:text/html,<script>alert(1)</script>)',
      '[x](JaVaScRiPt:alert(1))',
      '[x](vbscript:msgbox)',
      'javascript:alert(1)',
    ]) {
      const { container } = render(<div>{renderMarkdown(body)}</div>);
      expect(container.querySelector('a'), body).toBeNull();
    }
    expect(safeHref('  javascript:alert(1)')).toBeNull();
    expect(safeHref('mailto:a@example.com')).toBe('mailto:a@example.com');
  });

  it("marks @mentions, the viewer's own differently", () => {
    const { container } = render(
      <div>{renderMarkdown('hi @alice and @bob, mail me@example.com', (name) => (name === 'bob' ? 'mention mention-me' : 'mention'))}</div>,
    );
    expect([...container.querySelectorAll('.mention')].map((node) => node.textContent)).toEqual(['@alice', '@bob']);
    expect(container.querySelector('.mention-me')?.textContent).toBe('@bob');
  });

  it('previews as one plain line', () => {
    expect(plainPreview('**Hi** [there](https://x.y)\n> quote\n```\ncode\n```')).toBe('Hi there quote code');
    expect(plainPreview('*italic*, _also_, ~~gone~~ and `code`\n- one\n- two\n1. first')).toBe('italic, also, gone and code one two first');
    expect(plainPreview('a cut **bold start')).toBe('a cut bold start');
    expect(plainPreview('snake_case_name stays, 2 * 3 * 4 too')).toBe('snake_case_name stays, 2 * 3 * 4 too');
    expect(plainPreview('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('search snippets', () => {
  it("shows the server's <mark> highlights and nothing else as markup", () => {
    const { container } = render(<p>{renderSnippet('&lt;img src=x onerror=alert(1)&gt; <mark>meet</mark>up &amp; &quot;more&quot; &#39;x&#39;')}</p>);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('mark')?.textContent).toBe('meet');
    expect(container.textContent).toBe('<img src=x onerror=alert(1)> meetup & "more" \'x\'');
  });

  it("shows the message's Markdown as the plain text it renders as, keeping the highlights", () => {
    const { container } = render(
      <p>{renderSnippet('Morning! The **<mark>roadmap</mark>** draft, *<mark>road</mark>s* and `<mark>map</mark>` in [the <mark>plan</mark>](https://x.y)')}</p>,
    );
    expect(container.textContent).toBe('Morning! The roadmap draft, roads and map in the plan');
    expect([...container.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['roadmap', 'road', 'map', 'plan']);
    expect(container.querySelector('strong, em, code, a')).toBeNull();
  });

  it('keeps a snippet cut in the middle of markup readable, and user text that looks like a mark stays text', () => {
    const { container } = render(<p>{renderSnippet('… end of a **bold <mark>roadmap</mark> line ~~ and \uE000 &lt;mark&gt;x&lt;/mark&gt;')}</p>);
    expect(container.textContent).toBe('… end of a bold roadmap line and <mark>x</mark>');
    expect([...container.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['roadmap']);
  });

  it("a highlight inside a link's address does not swallow the rest of the snippet", () => {
    const { container } = render(<p>{renderSnippet('see [docs](https://<mark>example</mark>.com) and more')}</p>);
    expect(container.textContent).toContain('and more');
  });
});
