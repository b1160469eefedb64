/**
 * Trainer-specific errors and the (de)serialisation of errors across the worker boundary, so a
 * `ShapeError` thrown in the worker reaches the caller as a `ShapeError`.
 */
import { ConfigError, FileFormatError, FlexMoEError, InvalidArgumentError, NonFiniteError, ShapeError } from '@flexmoe/shared';

/** The training worker died or could not start; pending calls fail with this. */
export class TrainerWorkerError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_TRAINER_WORKER', message, options);
  }
}

/** A call was made after `Trainer.close()`. */
export class TrainerClosedError extends FlexMoEError {
  constructor() {
    super('FLEXMOE_ERR_TRAINER_CLOSED', 'the trainer is closed');
  }
}

/** An error as plain data, safe to post between threads. */
export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

/** Plain-data form of any thrown value. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    return { name: err.name, code: (err as { code?: string }).code, message: err.message, stack: err.stack };
  }
  return { name: 'Error', message: String(err) };
}

const CLASSES: Record<string, new (message: string) => Error> = {
  ShapeError,
  NonFiniteError,
  InvalidArgumentError,
  ConfigError,
  FileFormatError,
  TrainerWorkerError,
};

/** Rebuilds an error of the original class (plain `Error` for classes we do not know). */
export function deserializeError(e: SerializedError): Error {
  const Cls = CLASSES[e.name];
  const err = Cls ? new Cls(e.message) : Object.assign(new Error(e.message), { name: e.name, code: e.code });
  if (e.stack) err.stack = `${err.name}: ${e.message}\n    at (training worker)\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

/** The error an aborted call rejects with: the signal's reason, or an `AbortError`. */
export function abortReason(signal: AbortSignal | undefined): unknown {
  if (signal?.reason !== undefined) return signal.reason;
  const err = new Error('training aborted');
  err.name = 'AbortError';
  return err;
}
