/**
 * The one place where errors become gRPC statuses. Everything the handlers throw passes through
 * `toGrpcStatus`; anything unrecognised is INTERNAL with a generic message (details are logged,
 * not sent). Each status also carries its precise ErrorReason in the standard
 * `grpc-status-details-bin` trailer (google.rpc.Status + ErrorInfo), and, for one more protocol
 * version, the FLEXMOE_ERR_* code in `x-flexmoe-error`.
 */
import { status as Status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { FlexMoEError } from '@flexmoe/shared';
import { LEGACY_ERROR_KEY, STATUS_DETAILS_KEY, encodeStatusDetails, type ErrorReasonName } from '@flexmoe/proto';

const BY_CODE: Readonly<Record<string, readonly [Status, ErrorReasonName]>> = Object.freeze({
  FLEXMOE_ERR_INVALID_ARGUMENT: [Status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT'],
  FLEXMOE_ERR_SHAPE: [Status.INVALID_ARGUMENT, 'ERROR_REASON_SHAPE'],
  FLEXMOE_ERR_NON_FINITE: [Status.INVALID_ARGUMENT, 'ERROR_REASON_NON_FINITE'],
  FLEXMOE_ERR_CONFIG: [Status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT'],
  FLEXMOE_ERR_CHECKSUM: [Status.DATA_LOSS, 'ERROR_REASON_CHECKSUM'],
  FLEXMOE_ERR_TOO_LARGE: [Status.RESOURCE_EXHAUSTED, 'ERROR_REASON_TOO_LARGE'],
  FLEXMOE_ERR_RESOURCE_LIMIT: [Status.RESOURCE_EXHAUSTED, 'ERROR_REASON_RESOURCE_LIMIT'],
  FLEXMOE_ERR_UNAUTHENTICATED: [Status.UNAUTHENTICATED, 'ERROR_REASON_UNAUTHENTICATED'],
  FLEXMOE_ERR_STALE_ROUND: [Status.FAILED_PRECONDITION, 'ERROR_REASON_STALE_ROUND'],
  FLEXMOE_ERR_PROTOCOL_VERSION: [Status.FAILED_PRECONDITION, 'ERROR_REASON_PROTOCOL_VERSION'],
  FLEXMOE_ERR_PRECONDITION: [Status.FAILED_PRECONDITION, 'ERROR_REASON_PRECONDITION'],
  FLEXMOE_ERR_UNKNOWN_SESSION: [Status.NOT_FOUND, 'ERROR_REASON_UNKNOWN_SESSION'],
  FLEXMOE_ERR_DUPLICATE_SESSION: [Status.ALREADY_EXISTS, 'ERROR_REASON_DUPLICATE_SESSION'],
  FLEXMOE_ERR_DRAINING: [Status.UNAVAILABLE, 'ERROR_REASON_DRAINING'],
});

const INTERNAL = [Status.INTERNAL, 'ERROR_REASON_INTERNAL'] as const;

function classify(err: unknown): readonly [Status, ErrorReasonName] {
  return err instanceof FlexMoEError ? (BY_CODE[err.code] ?? INTERNAL) : INTERNAL;
}

/** The gRPC status code for an error (INTERNAL for anything not raised on purpose). */
export function grpcCodeOf(err: unknown): Status {
  return classify(err)[0];
}

/** Converts any error into the ServiceError a handler returns, with its reason in the status details. */
export function toGrpcStatus(err: unknown): Partial<ServiceError> {
  const [code, reason] = classify(err);
  const metadata = new Metadata();
  const details = code === Status.INTERNAL ? 'internal error' : (err as Error).message;
  const flexmoeCode = err instanceof FlexMoEError ? err.code : undefined;
  metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(code, details, reason, flexmoeCode ? { code: flexmoeCode } : {}));
  if (flexmoeCode) metadata.set(LEGACY_ERROR_KEY, flexmoeCode);
  return { code, details, metadata };
}
