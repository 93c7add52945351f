import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, badRequest, dependencyUnavailable, isAppError, isConnectionFailure, payloadTooLarge, unsupportedMediaType, type FieldErrors } from '../errors.ts';
import { newId } from '../ids.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldErrors;
  errorId?: string;
}

const problemType = (code: string): string => `https://parley.dev/problems/${code.replaceAll('_', '-')}`;

export function problemOf(error: AppError): Problem {
  return {
    type: problemType(error.code),
    title: error.title,
    status: error.httpStatus,
    detail: error.message,
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
  };
}

/** Zod issues from the validator as `{ "body.username": ["..."] }`. */
function fieldErrorsOf(error: FastifyError): FieldErrors {
  const errors: FieldErrors = {};
  const context = error.validationContext ?? 'request';
  for (const issue of error.validation ?? []) {
    const path = issue.instancePath.split('/').filter(Boolean).join('.');
    const key = path ? `${context}.${path}` : context;
    (errors[key] ??= []).push(issue.message ?? 'is invalid');
  }
  return errors;
}

/**
 * Turns what Fastify's own parsers and validators throw into AppErrors, so bad input of
 * every kind (malformed JSON, wrong types, oversize bodies, wrong content types) answers a
 * clear 4xx. Returns undefined for errors that are not the client's fault.
 */
export function clientErrorOf(error: FastifyError): AppError | undefined {
  if (isAppError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
    return badRequest('The request is not valid; see errors.', fieldErrorsOf(error));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return payloadTooLarge('The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return unsupportedMediaType('This content type is not accepted here.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('The JSON body is empty.', { body: ['is empty'] });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest('The body is not valid JSON.', { body: ['is not valid JSON'] });
    default:
      break;
  }
  if (error instanceof SyntaxError) return badRequest('The body is not valid JSON.', { body: ['is not valid JSON'] });
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new AppError('bad_request', status, 3, 'Bad request', error.message.slice(0, 200));
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, problem: Problem, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const clientError = clientErrorOf(error);
  if (clientError) {
    if (clientError.httpStatus >= 500) request.log.warn({ err: error }, clientError.message);
    return sendProblem(reply, problemOf(clientError), clientError.extra.retryAfterSeconds);
  }
  if (isConnectionFailure(error)) {
    // The database (or another dependency) is away: the client may retry, and nothing hangs.
    request.log.warn({ err: error }, 'a dependency is unreachable: answering 503');
    const unavailableNow = dependencyUnavailable();
    return sendProblem(reply, problemOf(unavailableNow), unavailableNow.extra.retryAfterSeconds);
  }
  const errorId = newId();
  request.log.error({ err: error, errorId }, 'unhandled error');
  return sendProblem(reply, {
    type: problemType('internal'),
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the errorId when reporting it.',
    errorId,
  });
}
