/**
 * Protocol failures: those detected by the tensor codec (each maps to one gRPC status at the
 * transport edge: checksum -> DATA_LOSS, too large -> RESOURCE_EXHAUSTED; shape and finiteness
 * use the shared ShapeError / NonFiniteError -> INVALID_ARGUMENT), and those the protocol client
 * raises (a refused call, an unusable reply, an abandoned call).
 */
import { FlexMoEError } from '@flexmoe/shared';
import type { status as GrpcStatus } from '@grpc/grpc-js';
import type { ErrorReasonName } from './error-details';

/** A tensor's bytes do not match the checksum its sender declared. */
export class ChecksumError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_CHECKSUM', message, options);
  }
}

/** A message, tensor or update is larger than the model or the protocol allows. */
export class TooLargeError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_TOO_LARGE', message, options);
  }
}

/**
 * A call the coordinator refused or that failed on the way (the protocol client's one error for
 * a gRPC status). `status` is the gRPC status code, `reason` the precise ErrorReason decoded
 * from the status details (ERROR_REASON_UNSPECIFIED when the peer sent none).
 */
export class RpcError extends FlexMoEError {
  constructor(
    /** The RPC, e.g. `Join`. */
    readonly call: string,
    /** gRPC status code. */
    readonly status: GrpcStatus,
    readonly reason: ErrorReasonName,
    /** The status message as sent by the peer. */
    readonly details: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('FLEXMOE_ERR_RPC', message, options);
  }
}

/** A reply the client cannot use: damaged, unexpected or missing tensors, an unreadable model config. */
export class BadReplyError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_BAD_REPLY', message, options);
  }
}

/** A call abandoned because its caller's signal aborted. */
export class CallAbortedError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_CALL_ABORTED', message, options);
  }
}
