/**
 * The protocol client's call plumbing: metadata, deadlines, cancellation by AbortSignal, and the
 * one mapping of a failed call to `RpcError` (status code plus the ErrorReason decoded from the
 * status details).
 */
import * as grpc from '@grpc/grpc-js';
import { METADATA_CLIENT_ID, METADATA_TOKEN } from '../constants';
import { LEGACY_ERROR_KEY, errorDetailsOf, isErrorReason, type ErrorReasonName } from '../error-details';
import { CallAbortedError, RpcError } from '../errors';

/** Per-call options every method of the protocol client takes. */
export interface CallOptions {
  /** Cancels the call; it then rejects with CallAbortedError. */
  readonly signal?: AbortSignal;
  /** Deadline of the call in ms from now (each RPC has its default). */
  readonly timeoutMs?: number;
  /** Metadata sent instead of the client's own (tests of authentication send wrong or none). */
  readonly metadata?: grpc.Metadata;
}

/** Metadata carrying the client id and, when set, the token. */
export function identityMetadata(clientId: string | undefined, token: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (clientId) md.set(METADATA_CLIENT_ID, clientId);
  if (token) md.set(METADATA_TOKEN, token);
  return md;
}

/** True for an error grpc-js reports for a call (a status with trailing metadata). */
export function isServiceError(err: unknown): err is grpc.ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as grpc.ServiceError).code === 'number' && 'metadata' in err;
}

/** The reason of a refusal: from the status details, else from the deprecated FLEXMOE_ERR_* trailer. */
function reasonOf(metadata: grpc.Metadata | undefined): ErrorReasonName {
  const details = errorDetailsOf(metadata);
  if (details) return details.reason;
  const legacy = metadata?.get(LEGACY_ERROR_KEY)[0];
  const guess = typeof legacy === 'string' ? legacy.replace(/^FLEXMOE_ERR_/, 'ERROR_REASON_') : '';
  return isErrorReason(guess) ? guess : 'ERROR_REASON_UNSPECIFIED';
}

/**
 * Maps what a call threw: CallAbortedError when `signal` aborted, RpcError for a gRPC status,
 * anything else unchanged.
 */
export function toCallError(call: string, err: unknown, signal: AbortSignal | undefined): unknown {
  if (err instanceof RpcError || err instanceof CallAbortedError) return err;
  if (signal?.aborted) return new CallAbortedError(`${call} abandoned: ${String(signal.reason)}`, { cause: err });
  if (!isServiceError(err)) return err;
  const reason = reasonOf(err.metadata);
  const name = grpc.status[err.code] ?? String(err.code);
  const shown = reason === 'ERROR_REASON_UNSPECIFIED' ? name : `${name} (${reason})`;
  return new RpcError(call, err.code, reason, err.details, `${call}: ${shown}: ${err.details || err.message}`, { cause: err });
}

/** Something grpc-js lets us cancel. */
interface Cancellable {
  cancel(): void;
}

/** Cancels `call` when `signal` aborts; returns the function that stops listening. */
export function cancelOnAbort(call: Cancellable, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const onAbort = (): void => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** A grpc-js call started with a callback. */
export type Starter<T> = (metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: T) => void) => Cancellable;

/** Runs a call that ends in one reply (unary or client stream) with a deadline; an abort cancels it. */
export function replyOf<T>(call: string, metadata: grpc.Metadata, timeoutMs: number, signal: AbortSignal | undefined, start: Starter<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CallAbortedError(`${call} not started: ${String(signal.reason)}`));
      return;
    }
    let stop = (): void => undefined;
    const handle = start(metadata, { deadline: Date.now() + timeoutMs }, (err, value) => {
      stop();
      if (err) reject(toCallError(call, err, signal));
      else resolve(value as T);
    });
    stop = cancelOnAbort(handle, signal);
  });
}
