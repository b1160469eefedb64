import type { RoundRecord } from '@flexmoe/server';
import type { PairedComparison } from './comparisons';

/** One round of a run, as the results JSON records it. */
export interface RoundResult {
  round: number;
  /** Sample-weighted mean of the clients' personalised test accuracies, 0..1 (= postLocalAccuracy). */
  accuracy: number;
  /** The round's aggregated model with each client's gate, its held-out split, before local steps. */
  preLocalAccuracy?: number | null;
  /** After local training, on each client's held-out split. */
  postLocalAccuracy?: number;
  /** Each client's aggregated model with its own gate (as preLocal) on the class-balanced global test set. */
  globalAccuracy?: number | null;
  /** Coefficient of variation of the assigned expert load this round. */
  loadCv: number;
  /** The smallest load CV any assignment of the round's clients can reach. */
  loadCvMin?: number;
  /** Client id -> assigned experts (for the lock-in figure). */
  assignment?: Record<string, number[]>;
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
    /** The last round's three accuracies (null when not measured). */
    preLocalAccuracy: number | null;
    postLocalAccuracy: number;
    globalAccuracy: number | null;
    loadCv: number;
    /** Mean over rounds of the per-round achievable minimum CV. */
    loadCvMin: number | null;
    /**
     * Share of the last round's (client, expert) assignments that held in each of the last
     * LOCK_IN_ROUNDS rounds: 1 means the assignment froze.
     */
    lockIn: number | null;
    /** The three accuracies averaged over the last LOCK_IN_ROUNDS rounds (less round-to-round noise). */
    last5?: { preLocalAccuracy: number | null; postLocalAccuracy: number | null; globalAccuracy: number | null };
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
  /** Paired per-seed differences of flexmoe against every other strategy (experiments only). */
  comparisons?: PairedComparison[];
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
  const mins = rounds.map((r) => r.loadCvMin).filter((v): v is number => typeof v === 'number');
  return {
    accuracy: last?.accuracy ?? NaN,
    preLocalAccuracy: last?.preLocalAccuracy ?? null,
    postLocalAccuracy: last?.postLocalAccuracy ?? last?.accuracy ?? NaN,
    globalAccuracy: last?.globalAccuracy ?? null,
    loadCv: rounds.length ? rounds.reduce((a, r) => a + r.loadCv, 0) / rounds.length : NaN,
    loadCvMin: mins.length ? mins.reduce((a, b) => a + b, 0) / mins.length : null,
    lockIn: lockIn(rounds),
    last5: {
      preLocalAccuracy: tailMean(rounds, (r) => r.preLocalAccuracy),
      postLocalAccuracy: tailMean(rounds, (r) => r.postLocalAccuracy ?? r.accuracy),
      globalAccuracy: tailMean(rounds, (r) => r.globalAccuracy),
    },
    cumulativeLoadCv: coefficientOfVariation(cumulative),
    bytesPerClientRound: clientRounds > 0 ? bytes / clientRounds : 0,
    seconds: rounds.reduce((a, r) => a + r.seconds, 0),
  };
}

/** Rounds the lock-in figure (and the last-5 means) look back over. */
export const LOCK_IN_ROUNDS = 5;

/** Mean of `pick` over the last `window` rounds; null when any of them lacks it. */
export function tailMean(rounds: readonly RoundResult[], pick: (r: RoundResult) => number | null | undefined, window = LOCK_IN_ROUNDS): number | null {
  const tail = rounds.slice(-window).map(pick);
  if (tail.length === 0 || tail.some((v) => typeof v !== 'number')) return null;
  return (tail as number[]).reduce((a, b) => a + b, 0) / tail.length;
}

/**
 * Share of the last round's (client, expert) pairs that were assigned in every one of the last
 * `window` rounds; null when fewer rounds (or no assignments) were recorded.
 */
export function lockIn(rounds: readonly RoundResult[], window = LOCK_IN_ROUNDS): number | null {
  const tail = rounds.slice(-window);
  if (tail.length < window || tail.some((r) => !r.assignment)) return null;
  const last = tail[tail.length - 1].assignment!;
  let pairs = 0;
  let kept = 0;
  for (const [client, experts] of Object.entries(last)) {
    for (const e of experts) {
      pairs++;
      if (tail.every((r) => r.assignment![client]?.includes(e))) kept++;
    }
  }
  return pairs > 0 ? kept / pairs : null;
}

/** One round of the coordinator's history as the results JSON records it. */
export function roundFromRecord(r: RoundRecord): RoundResult {
  return {
    round: r.round,
    accuracy: r.accuracy,
    preLocalAccuracy: r.preLocalAccuracy ?? null,
    postLocalAccuracy: r.postLocalAccuracy ?? r.accuracy,
    globalAccuracy: r.globalAccuracy ?? null,
    loadCv: r.loadCv,
    loadCvMin: r.loadCvMin,
    assignment: r.detail ? Object.fromEntries(Object.entries(r.assignment).map(([id, list]) => [id, [...list]])) : undefined,
    seconds: r.seconds,
    load: [...r.load],
    bytes: r.bytesDown + r.bytesUp,
    clients: r.participants.length,
    routedLoad: [...r.routedLoad],
    routedLoadCv: r.routedLoadCv,
    solver: r.solver.name,
  };
}
