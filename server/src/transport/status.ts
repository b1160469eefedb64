/**
 * The one place where errors become gRPC statuses. Everything the handlers throw passes through
 * `toGrpcStatus`; anything unrecognised is INTERNAL with a generic message (details are logged,
 * not sent).
 */
import { status as Status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { FlexMoEError } from '@flexmoe/shared';

const BY_CODE: Readonly<Record<string, Status>> = Object.freeze({
  FLEXMOE_ERR_INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  FLEXMOE_ERR_SHAPE: Status.INVALID_ARGUMENT,
  FLEXMOE_ERR_NON_FINITE: Status.INVALID_ARGUMENT,
  FLEXMOE_ERR_CONFIG: Status.INVALID_ARGUMENT,
  FLEXMOE_ERR_CHECKSUM: Status.DATA_LOSS,
  FLEXMOE_ERR_TOO_LARGE: Status.RESOURCE_EXHAUSTED,
  FLEXMOE_ERR_RESOURCE_LIMIT: Status.RESOURCE_EXHAUSTED,
  FLEXMOE_ERR_UNAUTHENTICATED: Status.UNAUTHENTICATED,
  FLEXMOE_ERR_STALE_ROUND: Status.FAILED_PRECONDITION,
  FLEXMOE_ERR_PRECONDITION: Status.FAILED_PRECONDITION,
  FLEXMOE_ERR_UNKNOWN_SESSION: Status.NOT_FOUND,
  FLEXMOE_ERR_DUPLICATE_SESSION: Status.ALREADY_EXISTS,
  FLEXMOE_ERR_DRAINING: Status.UNAVAILABLE,
});

/** The gRPC status code for an error (INTERNAL for anything not raised on purpose). */
export function grpcCodeOf(err: unknown): Status {
  if (err instanceof FlexMoEError) return BY_CODE[err.code] ?? Status.INTERNAL;
  return Status.INTERNAL;
}

/** Converts any error into the ServiceError a handler returns, with the FlexMoE code in metadata. */
export function toGrpcStatus(err: unknown): Partial<ServiceError> {
  const code = grpcCodeOf(err);
  const metadata = new Metadata();
  if (err instanceof FlexMoEError) metadata.set('x-flexmoe-error', err.code);
  const details = code === Status.INTERNAL ? 'internal error' : (err as Error).message;
  return { code, details, metadata };
}
