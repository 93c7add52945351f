import { status as GrpcStatus } from '@grpc/grpc-js';

/** The `code` of a thrown value (PostgreSQL's SQLSTATE, Node's errno name, ...), if it has one. */
export const errorCode = (error: unknown): unknown => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/** Per-field problems of a 400, keyed by a dotted path (`body.username`). */
export type FieldErrors = Record<string, string[]>;

/**
 * The one error type services throw on purpose. The edge (HTTP error handler, gRPC wrapper)
 * turns it into problem+json or a gRPC status; anything else becomes a 500 with an errorId.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    readonly grpcStatus: GrpcStatus,
    readonly title: string,
    message: string,
    readonly extra: { errors?: FieldErrors; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (detail: string, errors?: FieldErrors): AppError =>
  new AppError('bad_request', 400, GrpcStatus.INVALID_ARGUMENT, 'Bad request', detail, errors ? { errors } : {});

export const unauthorized = (detail = 'A valid access token is required.'): AppError =>
  new AppError('unauthorized', 401, GrpcStatus.UNAUTHENTICATED, 'Unauthorized', detail);

export const forbidden = (detail = 'You are not allowed to do this.'): AppError => new AppError('forbidden', 403, GrpcStatus.PERMISSION_DENIED, 'Forbidden', detail);

export const notFound = (what: string): AppError => new AppError('not_found', 404, GrpcStatus.NOT_FOUND, 'Not found', `No such ${what}.`);

export const conflict = (detail: string, errors?: FieldErrors): AppError =>
  new AppError('conflict', 409, GrpcStatus.ALREADY_EXISTS, 'Conflict', detail, errors ? { errors } : {});

export const payloadTooLarge = (detail: string): AppError => new AppError('payload_too_large', 413, GrpcStatus.INVALID_ARGUMENT, 'Payload too large', detail);

export const unsupportedMediaType = (detail: string): AppError =>
  new AppError('unsupported_media_type', 415, GrpcStatus.INVALID_ARGUMENT, 'Unsupported media type', detail);

export const tooManyRequests = (retryAfterSeconds: number, detail = 'Too many requests; try again later.'): AppError =>
  new AppError('too_many_requests', 429, GrpcStatus.RESOURCE_EXHAUSTED, 'Too many requests', detail, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/** 503; with retryAfterSeconds the answer carries Retry-After (a feature paused while a dependency is away). */
export const unavailable = (detail = 'A dependency is unavailable; try again shortly.', retryAfterSeconds?: number): AppError =>
  new AppError(
    'unavailable',
    503,
    GrpcStatus.UNAVAILABLE,
    'Service unavailable',
    detail,
    retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) },
  );

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** What a client is told to wait (Retry-After) when a dependency cannot be reached. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

/** Socket errors of a connection that could not be made or was lost. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SQLSTATEs of a server going away or not taking connections: class 08, and 57P01-57P03. */
const isUnavailableSqlState = (code: string): boolean => /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code);
/**
 * node-postgres says these in words, without a code. "Query read timeout" is its client-side
 * query timeout (db/postgres.ts): a server that took the statement and answered nothing in
 * DATABASE_QUERY_TIMEOUT_MS (stopped, or unreachable while the connection stays open).
 */
const CONNECTION_LOST_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|Query read timeout/i;

/**
 * Whether a thrown value says that a dependency (the database, a broker, another service) could
 * not be reached or dropped the connection: not a bug of ours, not the client's fault, and over
 * once the dependency is back.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || isUnavailableSqlState(code))) return true;
  return error instanceof Error && CONNECTION_LOST_MESSAGE.test(error.message);
}

/** The 503 with Retry-After that a connection failure answers (isConnectionFailure). */
export const dependencyUnavailable = (): AppError => unavailable('A dependency is unavailable; try again shortly.', DEPENDENCY_RETRY_AFTER_SECONDS);
