import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, isInlineSafe, sniffContentType } from './file-content-type.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('sniffContentType', () => {
  it('when the bytes are a PNG, it says image/png', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    expect(await sniffContentType(png)).toBe('image/png');
  });

  it('when the bytes are a PDF, it keeps application/pdf', async () => {
    expect(await sniffContentType(bytes('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'))).toBe('application/pdf');
  });

  it.each([
    ['an HTML page', '<!doctype html><html><body><script>alert(1)</script></body></html>'],
    ['an SVG image', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['an XML document', '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
    ['plain Russian text', 'Привет, это обычный текст.\n'],
  ])('when the bytes are %s, it says text/plain (never an active type)', async (_what, text) => {
    expect(await sniffContentType(bytes(text))).toBe('text/plain');
  });

  it('when the bytes are unknown binary, it says application/octet-stream', async () => {
    expect(await sniffContentType(Uint8Array.from([0, 1, 2, 3, 255, 254, 0, 7]))).toBe('application/octet-stream');
  });

  it('when text is cut inside a multi-byte character at the end of the head, it is still text', async () => {
    const head = bytes('Отчёт').slice(0, 9);
    expect(await sniffContentType(head)).toBe('text/plain');
  });
});

describe('contentTypeFor', () => {
  it.each(['image/svg+xml', 'application/xml', 'text/html', 'application/xhtml+xml', 'text/javascript'])('when file-type says %s, it stores text/plain', (mime) => {
    expect(contentTypeFor(mime, bytes('<x/>'))).toBe('text/plain');
  });

  it.each(['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.ms-htmlhelp'])(
    'when file-type says %s (not a document a browser runs), it keeps it',
    (mime) => {
      expect(contentTypeFor(mime, new Uint8Array())).toBe(mime);
    },
  );
});

describe('isInlineSafe', () => {
  it.each([
    ['image/png', true],
    ['image/webp', true],
    ['image/svg+xml', false],
    ['text/plain', false],
    ['application/pdf', false],
  ])('%s inline: %s', (type, safe) => {
    expect(isInlineSafe(type)).toBe(safe);
  });
});
