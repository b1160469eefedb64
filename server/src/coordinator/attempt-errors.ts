/**
 * What the round loop does when a round attempt throws (a bug, a broken strategy, a full disk),
 * as opposed to a round that ends without enough updates (retried at once, as clients come and
 * go). Such an error would repeat at the same pace forever, so the loop backs off exponentially
 * and, after `maxConsecutive` errors in a row, stops in the `failed` state for an operator.
 */

/** The policy; every field has a documented default. */
export interface AttemptErrorPolicy {
  /** Wait after the first error (default 250 ms). */
  readonly baseDelayMs: number;
  /** Longest wait between attempts (default 30 s). */
  readonly maxDelayMs: number;
  /** Errors in a row after which the coordinator gives up (default 10: about 2.5 minutes). */
  readonly maxConsecutive: number;
}

/** The defaults. */
export const DEFAULT_ATTEMPT_ERROR_POLICY: AttemptErrorPolicy = Object.freeze({ baseDelayMs: 250, maxDelayMs: 30_000, maxConsecutive: 10 });

/** The wait after the `consecutive`-th error in a row (1-based): base, 2 base, 4 base, ... up to the cap. */
export function attemptErrorDelayMs(policy: AttemptErrorPolicy, consecutive: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, consecutive - 1));
}

/** Pause before retrying a round that ended without enough updates. */
export const RETRY_DELAY_MS = 250;
