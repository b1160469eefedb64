/** The JSON the coordinator serves at /api/status (read by the dashboard page). */
import type { ClientRegistry } from '../registry/client-registry';
import type { RoundRecord } from '../rounds/history';
import type { CoordinatorOptions, CoordinatorPhase } from './coordinator';

/** One client row of the status. */
export interface ClientStatus {
  readonly id: string;
  readonly capacity: number;
  readonly samples: number;
  /** Live phase (IDLE, TRAINING, ...) or `disconnected`. */
  readonly state: string;
  readonly connected: boolean;
  readonly lastSeen: number | null;
  readonly roundsCompleted: number;
  readonly device: { platform: string; arch: string; cpus: number };
}

/** The whole status document. */
export interface CoordinatorStatus {
  readonly runId: string;
  readonly state: CoordinatorPhase;
  /** Last completed round. */
  readonly round: number;
  /** Round in progress (0 when none). */
  readonly currentRound: number;
  readonly totalRounds: number;
  readonly strategy: string;
  readonly experts: number;
  readonly accuracy: number | null;
  /** The last round's three accuracies (see RoundRecord); null before the first round or when not measured. */
  readonly preLocalAccuracy: number | null;
  readonly postLocalAccuracy: number | null;
  readonly globalAccuracy: number | null;
  readonly history: readonly RoundRecord[];
  readonly clients: readonly ClientStatus[];
  /** Client id -> experts assigned in the last completed round. */
  readonly assignment: Readonly<Record<string, readonly number[]>>;
  /** Client id -> Q row. */
  readonly q: Readonly<Record<string, readonly number[]>>;
}

/** Inputs of the status document. */
export interface StatusInputs {
  readonly runId: string;
  readonly phase: CoordinatorPhase;
  readonly completed: number;
  readonly currentRound: number;
  readonly options: CoordinatorOptions;
  readonly history: readonly RoundRecord[];
  readonly registry: ClientRegistry;
  readonly q: Readonly<Record<string, readonly number[]>>;
}

/** Builds the status document. */
export function buildStatus(i: StatusInputs): CoordinatorStatus {
  const last = i.history[i.history.length - 1];
  const clients = i.registry.allRecords().map((r) => {
    const live = i.registry.get(r.clientId);
    return {
      id: r.clientId,
      capacity: r.capacity,
      samples: r.samples,
      state: live ? live.phase : 'disconnected',
      connected: live !== undefined,
      lastSeen: live ? live.lastSeenMs : null,
      roundsCompleted: r.roundsCompleted,
      device: { platform: r.device.platform, arch: r.device.arch, cpus: r.device.cpus },
    };
  });
  return {
    runId: i.runId,
    state: i.phase,
    round: i.completed,
    currentRound: i.currentRound,
    totalRounds: i.options.totalRounds,
    strategy: i.options.strategyName,
    experts: i.options.model.experts,
    accuracy: last ? last.accuracy : null,
    preLocalAccuracy: last?.preLocalAccuracy ?? null,
    postLocalAccuracy: last ? last.accuracy : null,
    globalAccuracy: last?.globalAccuracy ?? null,
    history: i.history,
    clients,
    assignment: last ? last.assignment : {},
    q: i.q,
  };
}
