import type { AttachmentRow, FileRow } from '../db/file.repository.ts';
import type { FileVariant } from '../domain/download-file.ts';
import { isInlineSafe } from '../domain/file-content-type.ts';

export const fileUrlOf = (fileId: string): string => `/api/v1/files/${fileId}`;
export const thumbnailUrlOf = (fileId: string): string => `/api/v1/files/${fileId}/thumbnail`;

/** The answer to an upload: what the client later lists in a message's attachmentIds. */
export function presentFile(file: FileRow) {
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    contentType: file.content_type,
    url: fileUrlOf(file.id),
    ...(file.thumbnail_key ? { thumbnailUrl: thumbnailUrlOf(file.id) } : {}),
  };
}

/** A file as a message shows it (`attachments` of a message); thumbnailUrl null when there is none. */
export function presentAttachment(attachment: AttachmentRow) {
  return {
    id: attachment.file_id,
    name: attachment.name,
    size: attachment.size,
    contentType: attachment.content_type,
    url: fileUrlOf(attachment.file_id),
    thumbnailUrl: attachment.thumbnail_key ? thumbnailUrlOf(attachment.file_id) : null,
  };
}

export type FileView = ReturnType<typeof presentFile>;
export type AttachmentView = ReturnType<typeof presentAttachment>;

/** The ETag of a file's bytes (or its thumbnail's): a file never changes, so its id is enough. */
export const fileEtagOf = (fileId: string, variant: FileVariant): string => `"${fileId}${variant === 'thumbnail' ? '-thumb' : ''}"`;

/** The Content-Type a stored type is served with: text gets its charset. */
export const servedContentType = (contentType: string): string => (contentType === 'text/plain' ? 'text/plain; charset=utf-8' : contentType);

/**
 * Content-Disposition for a download: inline only for raster images, attachment for anything
 * else; the name as RFC 6266 / 5987 `filename*` (UTF-8, percent-encoded) with an ASCII
 * `filename` fallback for old clients. Neither can break out of the header: every byte that
 * is not a safe token character is encoded or replaced.
 */
export function contentDispositionOf(name: string, contentType: string): string {
  const disposition = isInlineSafe(contentType) ? 'inline' : 'attachment';
  const ascii = name.replace(/[^\x20-\x7E]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
