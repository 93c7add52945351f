import { describe, expect, it } from 'vitest';
import { FALLBACK_FILE_NAME, MAX_FILE_NAME_LENGTH, sanitizeFileName } from './sanitize-file-name.ts';

describe('sanitizeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['Отчёт за май.docx', 'Отчёт за май.docx'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['C:\\Users\\me\\photo.png', 'photo.png'],
    ['/absolute/path/notes.txt', 'notes.txt'],
    ['.htaccess', 'htaccess'],
    ['...hidden', 'hidden'],
    ['  spaced name  .txt ', 'spaced name .txt'],
    ['line\nbreak\r\n.txt', 'line break .txt'],
    ['nul\u0000byte.txt', 'nulbyte.txt'],
    ['esc\u001b[31mred.txt', 'esc[31mred.txt'],
    ['tab\there.txt', 'tab here.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['emoji 🎉.png', 'emoji 🎉.png'],
  ])('when the name is %j, it becomes %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it.each([[undefined], [null], [''], ['..'], ['../'], ['/'], ['\u0000\u0001'], ['   '], ['dir/']])(
    'when nothing usable is left of %j, it falls back to "file"',
    (raw) => {
      expect(sanitizeFileName(raw)).toBe(FALLBACK_FILE_NAME);
    },
  );

  it('when the name is too long, it is cut to 200 characters keeping the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(500)}.pdf`);
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('when a long name is made of astral characters, no surrogate pair is split', () => {
    const name = sanitizeFileName('😀'.repeat(300));
    expect(Array.from(name)).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(() => encodeURIComponent(name)).not.toThrow();
  });

  it('when the name holds an unpaired surrogate, the result is well-formed', () => {
    expect(sanitizeFileName('bad\uD800name.txt')).toBe('badname.txt');
  });
});
