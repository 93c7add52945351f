import multipart from '@fastify/multipart';
import { badRequest, callerOf, malformedMultipart, refuseMoreFiles, routeOpenings, type HttpServer, type TokenVerifier } from '@parley/kit';
import { z } from 'zod';
import type { MessagesContext } from '../domain/context.ts';
import { downloadFile } from '../domain/download-file.ts';
import { uploadFile } from '../domain/upload-file.ts';
import { contentDispositionOf, fileEtagOf, presentFile, servedContentType } from '../presenters/file.presenter.ts';

const fileSchema = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
  url: z.string(),
  thumbnailUrl: z.string().optional(),
});
/** Malformed ids answer 404, as unknown ones (the domain checks). */
const fileParams = z.object({ id: z.string() });

export async function filesRoutes(app: HttpServer, ctx: MessagesContext, verify: TokenVerifier): Promise<void> {
  const route = routeOpenings(verify, 'files');
  // One byte over the limit reaches the storage, which then refuses the file (413) and removes
  // what it wrote; the parser stops reading there. Registered in this scope only: no other
  // route of the service parses multipart bodies.
  await app.register(async (scope: HttpServer) => {
    await scope.register(multipart, { limits: { fileSize: ctx.config.FILE_MAX_BYTES + 1, files: 1, fields: 5, parts: 10 } });

    scope.post(
      '/api/v1/files',
      route.authenticated({
        summary: 'Upload a file (multipart field "file") to attach to a message',
        description:
          `At most ${ctx.config.FILE_MAX_BYTES} bytes (FILE_MAX_BYTES; more answers 413). The type is sniffed from the bytes; HTML, SVG and XML ` +
          'are stored as text/plain. Images get a 320px WebP thumbnail. Files not attached to a message within 24 hours are removed.',
        consumes: ['multipart/form-data'],
        response: { 201: fileSchema },
      }),
      async (request, reply) => {
        try {
          if (!request.isMultipart()) throw badRequest('Send the file as multipart/form-data with a "file" field.', { 'body.file': ['is required'] });
          const files = request.files();
          const first = await files.next().catch(malformedMultipart);
          const part = first.done ? undefined : first.value;
          if (!part) throw badRequest('The "file" field is missing.', { 'body.file': ['is required'] });
          if (part.fieldname !== 'file') throw badRequest('The file must be sent in the "file" field.', { 'body.file': ['is required'] });
          const file = await uploadFile(ctx, callerOf(request).userId, {
            name: part.filename,
            stream: part.file,
            checkRest: () => refuseMoreFiles(files),
          });
          return reply.code(201).send(presentFile(file));
        } catch (error) {
          // Refused or broken before the body was read to its end (too large, malformed): the
          // parser has stopped reading it, so the connection could not carry another request.
          // Close it rather than read on what we will not store.
          if (!request.raw.complete) reply.header('connection', 'close');
          throw error;
        }
      },
    );

    for (const variant of ['original', 'thumbnail'] as const) {
      scope.get(
        variant === 'original' ? '/api/v1/files/:id' : '/api/v1/files/:id/thumbnail',
        route.authenticated({
          summary: variant === 'original' ? "A file's bytes" : "An image's 320px WebP thumbnail",
          description: 'For the uploader and members of conversations where it was shared; 404 for anyone else.',
          params: fileParams,
        }),
        async (request, reply) => {
          const opened = await downloadFile(ctx, callerOf(request).userId, request.params.id, variant);
          const etag = fileEtagOf(opened.file.id, variant);
          const notModified = request.headers['if-none-match'] === etag;
          // Opened before any header is set: a missing blob answers a plain 404.
          const bytes = notModified ? undefined : await opened.open();
          reply
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', 'sandbox')
            .header('cross-origin-resource-policy', 'same-origin')
            // Cached copies are revalidated, so the membership check runs on every use.
            .header('cache-control', 'private, no-cache')
            .header('etag', etag);
          if (!bytes) return reply.code(304).send();
          reply
            .header('content-type', servedContentType(opened.contentType))
            .header('content-disposition', contentDispositionOf(variant === 'thumbnail' ? `${opened.file.name}.webp` : opened.file.name, opened.contentType));
          if (opened.size !== undefined) reply.header('content-length', String(opened.size));
          return reply.send(bytes);
        },
      );
    }
  });
}
