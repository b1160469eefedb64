/**
 * Errors raised by the client daemon. Each carries a stable `FLEXMOE_ERR_*` code; the transport
 * maps coordinator status codes to these classes in one place so the daemon loop never sees gRPC.
 */
import { FlexMoEError } from '@flexmoe/shared';
import type { ErrorReasonName } from '@flexmoe/proto';

/** Why the coordinator refused a call, in the daemon's own words (not gRPC's). */
export type RejectionKind =
  'unauthenticated' | 'precondition' | 'conflict' | 'invalid' | 'too-large' | 'data-loss' | 'unavailable' | 'deadline' | 'cancelled' | 'not-found' | 'internal';

/** The coordinator answered with an error status, or could not be reached. */
export class CoordinatorError extends FlexMoEError {
  /** What kind of refusal this was; decides whether the daemon retries, waits or gives up. */
  readonly kind: RejectionKind;
  /** The numeric status code as received, for logs. */
  readonly status: number;
  /** The coordinator's precise reason (ERROR_REASON_UNSPECIFIED when it sent none). */
  readonly reason: ErrorReasonName;

  constructor(kind: RejectionKind, status: number, message: string, options?: { cause?: unknown; reason?: ErrorReasonName }) {
    super(`FLEXMOE_ERR_COORDINATOR_${kind.toUpperCase().replace(/-/g, '_')}`, message, options);
    this.kind = kind;
    this.status = status;
    this.reason = options?.reason ?? 'ERROR_REASON_UNSPECIFIED';
  }

  /** True when waiting and trying again can help (network, restart, draining, deadline). */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'deadline' || this.kind === 'internal';
  }
}

/** The daemon was asked to stop while a call or a wait was in flight. */
export class AbortedError extends FlexMoEError {
  constructor(message = 'stopped', options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_ABORTED', message, options);
  }
}

/** A round task the daemon cannot honour (bad experts, an unknown or invalid local optimizer): refused, nothing trained. */
export class TaskRefusedError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_TASK_REFUSED', message, options);
  }
}
