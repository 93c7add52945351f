import { status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { AppError, badRequest, conflict, dependencyUnavailable, forbidden, isAppError, isConnectionFailure, unauthorized, unavailable } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';

/** grpc-js rejects calls with Errors that also carry a numeric `code` and `details`. */
export const isServiceError = (error: unknown): error is ServiceError =>
  error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;

export const statusName = (code: GrpcStatus): string => GrpcStatus[code] ?? `STATUS_${code}`;

/**
 * Server side: what a failed handler answers. An AppError keeps its status and message (they
 * are meant for callers); anything else is a bug, logged with an errorId that is the only
 * thing the caller learns.
 */
export function statusOfError(error: unknown, logger: Logger, method: string): Pick<StatusObject, 'code' | 'details'> {
  if (isAppError(error)) {
    if (error.httpStatus >= 500) logger.warn({ err: error, method }, error.message);
    return { code: error.grpcStatus, details: error.message };
  }
  if (isConnectionFailure(error)) {
    logger.warn({ err: error, method }, 'a dependency is unreachable: answering UNAVAILABLE');
    return { code: GrpcStatus.UNAVAILABLE, details: 'A dependency is unavailable; try again shortly.' };
  }
  const errorId = newId();
  logger.error({ err: error, errorId, method }, 'unhandled error in gRPC handler');
  return { code: GrpcStatus.INTERNAL, details: `Internal error; errorId ${errorId}.` };
}

/**
 * Client side: a failed call as the AppError the calling service would throw itself, so its
 * own edge answers the right HTTP status. The callee's message is kept for the 4xx kinds (it
 * was written for callers); transport and server failures become a plain 503 with the
 * details in the log only, since they can name hosts and ports.
 */
export function appErrorOf(error: ServiceError, logger: Logger | undefined, method: string): AppError {
  const detail = error.details || error.message;
  switch (error.code) {
    case GrpcStatus.NOT_FOUND:
      // Same as the notFound factory, but notFound() builds its own message from a noun.
      return new AppError('not_found', 404, GrpcStatus.NOT_FOUND, 'Not found', detail);
    case GrpcStatus.INVALID_ARGUMENT:
      return badRequest(detail);
    case GrpcStatus.PERMISSION_DENIED:
      return forbidden(detail);
    case GrpcStatus.UNAUTHENTICATED:
      return unauthorized(detail);
    // The counterpart of conflict(), whose grpcStatus is ALREADY_EXISTS.
    case GrpcStatus.ALREADY_EXISTS:
      return conflict(detail);
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      logger?.warn({ method, grpcStatus: statusName(error.code), details: error.details }, 'gRPC call failed');
      return dependencyUnavailable();
    default:
      logger?.error({ method, grpcStatus: statusName(error.code), details: error.details }, 'gRPC call failed');
      return unavailable();
  }
}
