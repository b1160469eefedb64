/**
 * Failure modes of the coordinator, one class each with a stable `FLEXMOE_ERR_*` code. The
 * transport maps codes to gRPC statuses in one function (transport/status.ts).
 */
import { FlexMoEError } from '@flexmoe/shared';

function defineError(code: string) {
  return class extends FlexMoEError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

/** Missing or unknown client id, wrong token, or a certificate that does not match. */
export class UnauthenticatedError extends defineError('FLEXMOE_ERR_UNAUTHENTICATED') {}

/** A submission or download for a round that is not the client's current round. */
export class StaleRoundError extends defineError('FLEXMOE_ERR_STALE_ROUND') {}

/** A request the coordinator cannot serve in its current state. */
export class PreconditionError extends defineError('FLEXMOE_ERR_PRECONDITION') {}

/** A Join speaking a protocol version this coordinator does not (the client must be upgraded or downgraded). */
export class ProtocolVersionError extends defineError('FLEXMOE_ERR_PROTOCOL_VERSION') {}

/** A session id the coordinator does not know (e.g. after a restart): the client joins again. */
export class UnknownSessionError extends defineError('FLEXMOE_ERR_UNKNOWN_SESSION') {}

/** A Join for a client id whose session is still live. */
export class DuplicateSessionError extends defineError('FLEXMOE_ERR_DUPLICATE_SESSION') {}

/** The coordinator is shutting down and takes no new work. */
export class DrainingError extends defineError('FLEXMOE_ERR_DRAINING') {}

/** A checkpoint that cannot be read or does not match the run (the file is kept). */
export class CheckpointError extends defineError('FLEXMOE_ERR_CHECKPOINT') {}

/** A client that did not deliver its round result (disconnected, cancelled). */
export class ClientFailureError extends defineError('FLEXMOE_ERR_CLIENT_FAILURE') {}

/** A second Submit for a task whose upload is already open, or too many of something from one client. */
export class ResourceLimitError extends defineError('FLEXMOE_ERR_RESOURCE_LIMIT') {}
