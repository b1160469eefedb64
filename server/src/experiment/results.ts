import type { RoundRecord } from '../rounds/history';

/** One round of a run, as the results JSON records it. */
export interface RoundResult {
  round: number;
  /** Sample-weighted mean of the clients' personalised test accuracies, 0..1. */
  accuracy: number;
  /** Coefficient of variation of the assigned expert load this round. */
  loadCv: number;
  seconds: number;
  /** Assigned load per expert (sum of n_c over clients holding it). */
  load?: number[];
  /** Bytes moved this round (down + up, all clients). */
  bytes?: number;
  /** Clients that took part. */
  clients?: number;
  /** Routed load per expert (samples the gates actually sent to it). */
  routedLoad?: number[];
  routedLoadCv?: number;
  /** Which solver path produced the assignment. */
  solver?: string;
}

/** The summary of one run (one strategy, one seed). */
export interface RunResult {
  strategy: string;
  seed: number;
  rounds: RoundResult[];
  final: {
    accuracy: number;
    loadCv: number;
    cumulativeLoadCv: number;
    bytesPerClientRound: number;
    /** Wall-clock seconds of the whole run (fleet: process start to last round). */
    seconds?: number;
  };
}

/** The results JSON of `flexmoe fleet` and `flexmoe experiment`. */
export interface ResultsFile {
  command: string;
  config: Record<string, unknown>;
  runs: RunResult[];
}

/** Coefficient of variation (population std / mean); 0 for an empty or all-zero vector. */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return 0;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/** Mean and sample standard deviation (0 for fewer than two values). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The final summary of a run from its rounds: last-round accuracy, mean per-round load CV, the CV
 * of the load summed over all rounds (how evenly experts were trained over the run), and bytes.
 */
export function summariseRun(rounds: readonly RoundResult[], clientsPerRound: number): RunResult['final'] {
  const last = rounds[rounds.length - 1];
  const experts = rounds.find((r) => r.load)?.load?.length ?? 0;
  const cumulative = new Array<number>(experts).fill(0);
  for (const r of rounds) r.load?.forEach((v, e) => (cumulative[e] += v));
  const bytes = rounds.reduce((a, r) => a + (r.bytes ?? 0), 0);
  // Rounds that say how many clients took part count those; the rest count clientsPerRound.
  const clientRounds = rounds.reduce((a, r) => a + (r.clients ?? clientsPerRound), 0);
  return {
    accuracy: last?.accuracy ?? NaN,
    loadCv: rounds.length ? rounds.reduce((a, r) => a + r.loadCv, 0) / rounds.length : NaN,
    cumulativeLoadCv: coefficientOfVariation(cumulative),
    bytesPerClientRound: clientRounds > 0 ? bytes / clientRounds : 0,
    seconds: rounds.reduce((a, r) => a + r.seconds, 0),
  };
}

/** One round of the coordinator's history as the results JSON records it. */
export function roundFromRecord(r: RoundRecord): RoundResult {
  return {
    round: r.round,
    accuracy: r.accuracy,
    loadCv: r.loadCv,
    seconds: r.seconds,
    load: [...r.load],
    bytes: r.bytesDown + r.bytesUp,
    clients: r.participants.length,
    routedLoad: [...r.routedLoad],
    routedLoadCv: r.routedLoadCv,
    solver: r.solver.name,
  };
}
