/**
 * Protocol failures detected by the tensor codec. Each maps to one gRPC status at the transport
 * edge: checksum -> DATA_LOSS, too large -> RESOURCE_EXHAUSTED (shape and finiteness use the
 * shared ShapeError / NonFiniteError -> INVALID_ARGUMENT).
 */
import { FlexMoEError } from '@flexmoe/shared';

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
