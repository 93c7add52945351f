import { describe, expect, it } from 'vitest';
import { HEADLINE_MARKS } from '../db/search.repository.ts';
import { buildSnippet, escapeHtml } from './search-hit.presenter.ts';

/** A headline as ts_headline makes it: `[` and `]` stand for its marks, `<` as its stand-in. */
const headline = (text: string): string => text.replaceAll('[', HEADLINE_MARKS.start).replaceAll(']', HEADLINE_MARKS.stop).replaceAll('<', HEADLINE_MARKS.lt);

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('buildSnippet', () => {
  it('when PostgreSQL marked words, its headline is the snippet, marks as <mark>', () => {
    expect(buildSnippet('Weekly meetings', 'meeting', headline('Weekly [meetings]'))).toBe('Weekly <mark>meetings</mark>');
  });

  it('when PostgreSQL marked words in HTML, the headline is escaped once and only <mark> is markup', () => {
    const body = `<script>alert('x')</script> meeting & "notes" &amp;`;
    const snippet = buildSnippet(body, 'meeting', headline(`<script>alert('x')</script> [meeting] & "notes" &amp;`));
    expect(snippet).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>meeting</mark> &amp; &quot;notes&quot; &amp;amp;');
  });

  it('when a marked word itself holds HTML characters, they are escaped inside the mark', () => {
    expect(buildSnippet('AT&T <rocks>', 'rocks', headline('AT&T <[rocks]>'))).toBe('AT&amp;T &lt;<mark>rocks</mark>&gt;');
  });

  it('when the headline is fragments, it is trimmed and keeps their delimiters', () => {
    expect(buildSnippet('…', 'a', headline(' one [a] two … three [a] '))).toBe('one <mark>a</mark> two … three <mark>a</mark>');
  });

  it('when the body holds the marking characters itself, the headline is not trusted', () => {
    const body = `x${HEADLINE_MARKS.start}<img>${HEADLINE_MARKS.stop} meeting`;
    const snippet = buildSnippet(body, 'meeting', headline(`x${HEADLINE_MARKS.start}<img>${HEADLINE_MARKS.stop} [meeting]`));
    expect(snippet).toBe(`x${HEADLINE_MARKS.start}&lt;img&gt;${HEADLINE_MARKS.stop} <mark>meeting</mark>`);
  });

  it('when only a partial word matched, every occurrence is marked, case-insensitively', () => {
    expect(buildSnippet('Отчёты и ОТЧЁТ', 'отч', null)).toBe('<mark>Отч</mark>ёты и <mark>ОТЧ</mark>ЁТ');
  });

  it('when the body holds HTML, it comes out escaped and only <mark> is markup', () => {
    const snippet = buildSnippet('<img src=x onerror=alert(1)> meetup', 'meet', null);
    expect(snippet).toBe('&lt;img src=x onerror=alert(1)&gt; <mark>meet</mark>up');
    expect(snippet.replaceAll('<mark>', '').replaceAll('</mark>', '')).not.toMatch(/[<>]/);
  });

  it('when the query itself looks like HTML, it is escaped inside the mark', () => {
    expect(buildSnippet('a <b> c', '<b>', null)).toBe('a <mark>&lt;b&gt;</mark> c');
  });

  it('when the query holds regular-expression syntax, it matches literally', () => {
    expect(buildSnippet('cost (a+b)*2 total', '(a+b)*', null)).toBe('cost <mark>(a+b)*</mark>2 total');
  });

  it('when the body is long, it shows a window around the first match with ellipses', () => {
    const body = `${'word '.repeat(100)}needle${' tail'.repeat(100)}`;
    const snippet = buildSnippet(body, 'needle', null);
    expect(snippet.startsWith('… ')).toBe(true);
    expect(snippet.endsWith(' …')).toBe(true);
    expect(snippet).toContain('<mark>needle</mark>');
    expect(snippet.length).toBeLessThan(300);
  });

  it('when nothing can be found to mark, it shows the escaped beginning', () => {
    expect(buildSnippet('<b>bold</b> text', 'zzz', 'no marks here')).toBe('&lt;b&gt;bold&lt;/b&gt; text');
  });

  it('when a headline holds <mark> as text (no marks), it is text, escaped', () => {
    expect(buildSnippet('<mark>x</mark> zzz', 'zzz', '<mark>x</mark> zzz')).toBe('&lt;mark&gt;x&lt;/mark&gt; <mark>zzz</mark>');
  });

  it('never splits a surrogate pair at a cut', () => {
    const body = `${'😀'.repeat(100)}target${'😀'.repeat(100)}`;
    const snippet = buildSnippet(body, 'target', null);
    expect(() => encodeURIComponent(snippet)).not.toThrow();
    expect(snippet).toContain('<mark>target</mark>');
  });
});
