import type { Readable } from 'node:stream';
import { badRequest, isAppError } from '../errors.ts';

/**
 * The multipart parser rejects a malformed body (no boundary, cut-off parts) with plain Errors
 * that carry no status, which the edge would answer with a 500; they are the client's fault.
 * Errors with a status (Fastify's, the multipart plugin's and ours) pass through unchanged.
 */
export function malformedMultipart(error: unknown): never {
  if (isAppError(error) || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
  throw badRequest('The multipart body is malformed.', { 'body.file': ['could not be read from the multipart body'] });
}

const oneFileOnly = () => badRequest('Send one file per request.', { 'body.file': ['only one file may be sent per request'] });

/**
 * Upload routes take one file per request. After the first file has been read, this reads the
 * rest of the body and answers 400 if it holds another file, so a second file is refused
 * rather than silently dropped. (With the parser's `files: 1` limit a second file part
 * surfaces as its FST_FILES_LIMIT error; without it, as a part.)
 */
export async function refuseMoreFiles(files: AsyncIterator<{ file: Readable }>): Promise<void> {
  const next = await files.next().catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'FST_FILES_LIMIT') throw oneFileOnly();
    return malformedMultipart(error);
  });
  if (next.done) return;
  next.value.file.resume();
  throw oneFileOnly();
}
