/**
 * The one place where gRPC status codes become the daemon's own error kinds.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { CoordinatorError, type RejectionKind } from '../errors';

const KIND_BY_STATUS: Partial<Record<number, RejectionKind>> = {
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.PERMISSION_DENIED]: 'unauthenticated',
  [status.INVALID_ARGUMENT]: 'invalid',
  [status.FAILED_PRECONDITION]: 'precondition',
  [status.OUT_OF_RANGE]: 'precondition',
  [status.NOT_FOUND]: 'not-found',
  [status.ALREADY_EXISTS]: 'conflict',
  [status.RESOURCE_EXHAUSTED]: 'too-large',
  [status.DATA_LOSS]: 'data-loss',
  [status.UNAVAILABLE]: 'unavailable',
  [status.DEADLINE_EXCEEDED]: 'deadline',
  [status.CANCELLED]: 'cancelled',
};

function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as ServiceError).code === 'number' && 'metadata' in err;
}

/** Maps any error of a call to a `CoordinatorError` naming the call; other errors pass through. */
export function toCoordinatorError(call: string, err: unknown): Error {
  if (err instanceof CoordinatorError) return err;
  if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err));
  const kind = KIND_BY_STATUS[err.code] ?? 'internal';
  const name = status[err.code] ?? String(err.code);
  return new CoordinatorError(kind, err.code, `${call}: ${name}: ${err.details || err.message}`, { cause: err });
}
