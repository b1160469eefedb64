/**
 * The one place where the protocol client's errors become the daemon's own: a refused call
 * becomes a CoordinatorError of a kind (from the status code) carrying the precise reason, an
 * unusable reply an `invalid` one, an abandoned call an AbortedError.
 */
import { status } from '@grpc/grpc-js';
import { BadReplyError, CallAbortedError, RpcError } from '@flexmoe/proto';
import { AbortedError, CoordinatorError, type RejectionKind } from '../errors';

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

/** Maps an error of the protocol client to the daemon's; other errors pass through. */
export function toCoordinatorError(err: unknown): Error {
  if (err instanceof CoordinatorError || err instanceof AbortedError) return err;
  if (err instanceof CallAbortedError) return new AbortedError(err.message, { cause: err });
  if (err instanceof BadReplyError) return new CoordinatorError('invalid', 0, err.message, { cause: err });
  if (err instanceof RpcError) {
    return new CoordinatorError(KIND_BY_STATUS[err.status] ?? 'internal', err.status, err.message, { cause: err, reason: err.reason });
  }
  return err instanceof Error ? err : new Error(String(err));
}
