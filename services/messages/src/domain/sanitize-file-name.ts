export const MAX_FILE_NAME_LENGTH = 200;
export const FALLBACK_FILE_NAME = 'file';

/**
 * Characters a name shown to people and sent back in Content-Disposition must not carry:
 * C0/C1 controls (NUL, newlines, escape sequences), the Unicode bidirectional overrides and
 * marks that disguise an extension ("invoice‮fdp.exe"), and the line/paragraph separators.
 */
const UNSAFE = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A display name for an uploaded file: the last path segment only (either slash), without
 * control or bidi characters or unpaired surrogates, without leading dots or spaces (no hidden
 * files, no "..") and at most 200 characters (the extension kept when a long name is cut);
 * "file" when nothing is left. The name is only ever shown and offered for download, never used
 * as a storage path.
 */
export function sanitizeFileName(raw: string | undefined | null): string {
  if (!raw) return FALLBACK_FILE_NAME;
  const wellFormed = raw.replace(LONE_SURROGATE, '');
  const base = wellFormed.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/\s+/gu, ' ')
    .replace(UNSAFE, '')
    .replace(/^[\s.]+/u, '')
    .trimEnd();
  if (!cleaned) return FALLBACK_FILE_NAME;
  return truncateKeepingExtension(cleaned, MAX_FILE_NAME_LENGTH);
}

/** Cuts to max code points (never inside a surrogate pair), keeping a short extension. */
function truncateKeepingExtension(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (extension.length > 1 && extension.length <= 16) {
    const stem = Array.from(name.slice(0, dot)).slice(0, max - extension.length);
    return `${stem.join('').trimEnd()}${extension.join('')}`;
  }
  return chars.slice(0, max).join('').trimEnd();
}
