/**
 * Errors shared by every workspace. One class per failure mode, each with a stable, greppable
 * `FLEXMOE_ERR_*` code; the transport edge maps codes to gRPC status codes in one place.
 */

/** Base class: every error FlexMoE raises on purpose carries a stable code and an optional cause. */
export class FlexMoEError extends Error {
  /** Stable code, e.g. `FLEXMOE_ERR_INVALID_ARGUMENT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from a user or a peer: a malformed option, tensor, instance or message. */
export class InvalidArgumentError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_INVALID_ARGUMENT', message, options);
  }
}

/** A configuration value (file, environment or flag) that cannot be used. */
export class ConfigError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_CONFIG', message, options);
  }
}

/** A file that is missing, unreadable or malformed (dataset, checkpoint, certificate, instance). */
export class FileFormatError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_FILE', message, options);
  }
}

/** Training produced a non-finite value; the weights of that step are not kept. */
export class NonFiniteError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_NON_FINITE', message, options);
  }
}

/** A tensor whose name, dtype or shape does not match what the model expects. */
export class ShapeError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_SHAPE', message, options);
  }
}
