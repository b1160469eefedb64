/**
 * The coordinator's configuration and the shapes its request methods exchange with the
 * transport: options, collaborators, lifecycle phases, Join results and validated Submits.
 */
import type { Clock, Logger } from '@flexmoe/shared';
import type { ModelConfig } from '@flexmoe/proto';
import type { MoEConfig } from '@flexmoe/shared';
import type { NormPolicy } from '../aggregation/norms';
import type { CoordinatorMetrics } from '../metrics/metrics';
import type { RoundConfig } from '../rounds/round-engine';
import type { Strategy } from '../strategies/strategy';
import type { AttemptErrorPolicy } from './attempt-errors';
import type { FitnessOptions } from './fitness-state';
import type { SubmitPlan } from './requests';

/** Lifecycle states. */
/** `failed`: round attempts threw `attemptErrors.maxConsecutive` times in a row; the loop has stopped. */
export type CoordinatorPhase = 'waiting' | 'running' | 'draining' | 'finished' | 'failed' | 'stopped';

/** Everything the coordinator is configured with (validated by the CLI). */
export interface CoordinatorOptions {
  readonly model: MoEConfig;
  readonly totalRounds: number;
  readonly strategyName: string;
  readonly round: RoundConfig;
  readonly fitness: FitnessOptions;
  readonly dataDir: string;
  readonly heartbeatIntervalMs: number;
  readonly livenessTimeoutMs: number;
  /**
   * Refuse an echoed attempt of 0 for a later attempt of the round (default false: clients and
   * transports that do not carry `attempt` send 0, and only a nonzero mismatch is refused).
   */
  readonly strictAttempts?: boolean;
  /** Backoff and give-up point for round attempts that throw (defaults in attempt-errors.ts). */
  readonly attemptErrors?: Partial<AttemptErrorPolicy>;
  /** Client records kept at most (default 10,000); see ClientRegistry. */
  readonly maxClients?: number;
  /** Records of clients gone this long are dropped (ms, default 7 days). */
  readonly forgetAfterMs?: number;
  /** Clipping and outlier tuning (defaults: DEFAULT_NORM_POLICY). */
  readonly norms?: NormPolicy;
}

/** Documented defaults of the clipping bound and the outlier test (see docs/operations.md). */
export const DEFAULT_NORM_POLICY: NormPolicy = Object.freeze({ clipMultiplier: 3, rejectMultiplier: 10, bootstrapRatio: 0.5 });

/** Collaborators built at the composition root. */
export interface CoordinatorDeps {
  readonly logger: Logger;
  readonly metrics: CoordinatorMetrics;
  /** The round policy (assignment, aggregation, round-completed hook), with its checkpointable state. */
  readonly strategy: Strategy;
  /** Round deadlines, retry waits, liveness and the sweeper (default: the real clock). */
  readonly clock?: Clock;
}

/** What a successful Join returns. */
export interface JoinResult {
  readonly sessionId: string;
  readonly capacity: number;
  readonly protocolVersion: number;
  /** Deprecated JSON of the model config, still sent for clients that predate `model`. */
  readonly modelConfigJson: string;
  readonly model: ModelConfig;
  readonly numExperts: number;
  readonly heartbeatIntervalMs: number;
  readonly run: { runId: string; totalRounds: number; completedRounds: number; strategy: string; seed: number };
}

/** A Submit whose header passed validation. */
export interface SubmitContext {
  readonly clientId: string;
  readonly sessionId: string;
  readonly plan: SubmitPlan;
  /** Frees the task's upload slot (call when the Submit ends, however it ends). */
  readonly release: () => void;
}
