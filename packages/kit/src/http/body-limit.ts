import type { IncomingHttpHeaders } from 'node:http';

/** The JSON body limit of every route that sets none of its own, in the services and at the gateway. */
export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;

/** Multipart framing around one uploaded file: boundaries, part headers, a few small fields. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * How far past its limit a refused body is still read, and thrown away, after the 413: the
 * client then reads the answer (a server that closes on unread data resets the connection,
 * and the client may lose the answer with it) and can send its next request on the same
 * connection. A body declared larger than this past the limit closes the connection instead.
 */
export const OVERSIZE_DISCARD_BYTES = 8 * 1024 * 1024;

/** The body size the request declares (Content-Length), or undefined when it declares none (chunked, or no body). */
export function declaredBodyLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  if (value === undefined) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** Whether a refused body of this declared length is read to its end (keeping the connection) rather than the connection closed. */
export const discardsOversizeBody = (declared: number | undefined, limit: number): boolean => declared !== undefined && declared - limit <= OVERSIZE_DISCARD_BYTES;
