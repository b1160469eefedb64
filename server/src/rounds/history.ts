/**
 * The record of one completed round, kept in the run history, the checkpoint and /api/status.
 * Per-client detail (participants, assignment, reported, client accuracies) is kept in memory
 * only for recent rounds (`RunHistory`); older records keep every aggregate and the counts.
 */

/** Everything the status page and the experiments need about a completed round. */
export interface RoundRecord {
  readonly round: number;
  /** 0 for the first attempt; higher when earlier attempts had too few reports. */
  readonly attempt: number;
  readonly startedAtMs: number;
  readonly seconds: number;
  /** False once the per-client detail was trimmed (empty participants, assignment, reported, clientAccuracy). */
  readonly detail: boolean;
  readonly participantCount: number;
  readonly reportedCount: number;
  readonly participants: readonly string[];
  /** Client id -> assigned experts. */
  readonly assignment: Readonly<Record<string, readonly number[]>>;
  readonly reported: readonly string[];
  readonly failures: ReadonlyArray<{ readonly clientId: string; readonly reason: string }>;
  /** Sample-weighted mean of the reporting clients' personalised test accuracies. */
  readonly accuracy: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly trainLoss: number;
  readonly clientAccuracy: Readonly<Record<string, number>>;
  /** Assigned load sum_c n_c X_ce per expert. */
  readonly load: readonly number[];
  /** Routed load sum_c u_ce per expert. */
  readonly routedLoad: readonly number[];
  readonly loadCv: number;
  readonly loadMaxMean: number;
  readonly routedLoadCv: number;
  readonly routedLoadMaxMean: number;
  readonly bytesDown: number;
  readonly bytesUp: number;
  /** Seconds: assignment solve, dispatch-to-last-report, aggregation, mean client training. */
  readonly timings: { readonly solve: number; readonly collect: number; readonly aggregate: number; readonly trainMean: number };
  readonly solver: {
    readonly name: string;
    readonly status: string;
    readonly objective: number;
    readonly upperBound: number;
    readonly gap: number;
    readonly violation: number;
    /** The round was solved under a time-out: the solver's safety net cut its search. */
    readonly timedOut: boolean;
  };
}
