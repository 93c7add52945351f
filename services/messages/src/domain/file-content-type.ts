import { fileTypeFromBuffer } from 'file-type';

/** How much of an upload's beginning the type is read from (file-type's own need). */
export const SNIFF_BYTES = 4100;

export const OCTET_STREAM = 'application/octet-stream';
export const TEXT_PLAIN = 'text/plain';

/** Images we make thumbnails of, and the only types ever served inline. */
const SAFE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

/**
 * Types a browser could run as a document (scripts in HTML, SVG, XML with an XHTML namespace):
 * file-type recognises some XML; they are stored as plain text.
 */
const ACTIVE = /^(text\/html|application\/xhtml\+xml|application\/xml|text\/xml)$|\+xml$|svg|javascript|ecmascript/;

/**
 * The content type stored for an upload, from its first bytes only (the declared type and the
 * name are never trusted):
 * - a type file-type recognises is kept, except active ones (HTML, SVG, XML), which become
 *   text/plain;
 * - otherwise, bytes that read as UTF-8 text without control characters are `text/plain`
 *   (so an HTML page, whatever it claims to be, is stored and served as plain text);
 * - anything else is `application/octet-stream`.
 */
export async function sniffContentType(head: Uint8Array): Promise<string> {
  const sniffed = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  return contentTypeFor(sniffed?.mime, head);
}

export function contentTypeFor(sniffedMime: string | undefined, head: Uint8Array): string {
  if (sniffedMime) return ACTIVE.test(sniffedMime) ? TEXT_PLAIN : sniffedMime;
  return looksLikeText(head) ? TEXT_PLAIN : OCTET_STREAM;
}

/** Whether a thumbnail is made for this type. */
export const hasThumbnailType = (contentType: string): boolean => SAFE_IMAGES.has(contentType);

/** Whether the browser may show the file in place: only raster images, everything else downloads. */
export const isInlineSafe = (contentType: string): boolean => SAFE_IMAGES.has(contentType);

/** Valid UTF-8 (a sequence cut at the end of the head is fine) with no controls but whitespace. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text);
}
