/** Failure modes of local fleets and experiments, with stable `FLEXMOE_ERR_*` codes. */
import { FlexMoEError } from '@flexmoe/shared';

/** A fleet process died or misbehaved (the message carries its stderr tail). */
export class FleetError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_FLEET', message, options);
  }
}

/** The fleet was interrupted (Ctrl-C, SIGTERM) and shut its processes down. */
export class FleetInterruptedError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_INTERRUPTED', message, options);
  }
}
