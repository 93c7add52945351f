import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  declaredBodyLength,
  discardsOversizeBody,
  OVERSIZE_DISCARD_BYTES,
  payloadTooLarge,
  type AppError,
  type HttpServer,
} from '@parley/kit';

export interface BodyLimits {
  /** Whether this request's body went over its limit while it was streamed (a chunked body). */
  overflowed(request: object): boolean;
  tooLarge(request: { url?: string | undefined }): AppError;
}

const expectsContinue = (request: IncomingMessage): boolean => /100-continue/i.test(request.headers.expect ?? '');

/**
 * Bodies are decided at the gateway, before a byte reaches a service: a declared length
 * (Content-Length) over the path's limit answers 413 at once, and a chunked body is counted as
 * it streams through and cut at the limit. The services' own limits are the same, so a service
 * never refuses a body the gateway is still sending it (which used to end in EPIPE and a 500).
 *
 * After a 413 the connection stays usable: the rest of the body is read and thrown away (up to
 * OVERSIZE_DISCARD_BYTES past the limit; more closes the connection). A request that sent
 * `Expect: 100-continue` gets its 413 instead of the 100, has sent nothing, and is closed.
 */
export function limitRequestBodies(app: HttpServer, uploads: ReadonlyMap<string, number>): BodyLimits {
  const limitOf = (url: string | undefined): number => {
    const path = (url ?? '').split('?', 1)[0]!.replace(/\/+$/, '');
    return uploads.get(path) ?? DEFAULT_BODY_LIMIT_BYTES;
  };
  const tooLarge = (request: { url?: string | undefined }): AppError =>
    payloadTooLarge(`The request body is larger than this endpoint accepts (${limitOf(request.url)} bytes).`);
  const declaredTooLarge = (request: IncomingMessage): boolean => (declaredBodyLength(request.headers) ?? 0) > limitOf(request.url);
  const overflowed = new WeakSet<object>();

  // Node answers `Expect: 100-continue` by itself unless someone listens for checkContinue.
  // Listening, the gateway sends the 100 only for a body it will take.
  app.server.on('checkContinue', (request: IncomingMessage, response) => {
    if (!declaredTooLarge(request)) response.writeContinue();
    app.server.emit('request', request, response);
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (!declaredTooLarge(request.raw)) return done();
    const limit = limitOf(request.url);
    if (expectsContinue(request.raw) || !discardsOversizeBody(declaredBodyLength(request.headers), limit)) reply.header('connection', 'close');
    done(tooLarge(request));
  });

  app.addHook('preParsing', (request, _reply, payload, done) => {
    // With a declared length Node itself stops the body there, and the length was checked above.
    if (declaredBodyLength(request.headers) !== undefined || request.headers['transfer-encoding'] === undefined) return done(null, payload);
    done(
      null,
      cappedAt(payload, limitOf(request.url), () => {
        overflowed.add(request);
        return tooLarge(request);
      }),
    );
  });

  return { overflowed: (request) => overflowed.has(request), tooLarge };
}

/**
 * The body as a stream that fails past limit bytes (which aborts the request to the service);
 * what the client still sends after that is read and thrown away, up to OVERSIZE_DISCARD_BYTES.
 */
function cappedAt(payload: Readable, limit: number, onOverflow: () => Error): Readable {
  let received = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received <= limit) return callback(null, chunk);
      payload.unpipe(capped);
      discardRest(payload);
      callback(onOverflow());
    },
  });
  return payload.pipe(capped);
}

function discardRest(payload: Readable): void {
  let discarded = 0;
  payload.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > OVERSIZE_DISCARD_BYTES) payload.destroy();
  });
  payload.resume();
}
