/**
 * The per-round assignment policy the coordinator calls (Flower-style strategy): given the round's
 * clients, their fitness rows and capacities, choose each client's experts.
 */
import type { Logger } from '@flexmoe/shared';
import type { AssignmentProblem, AssignmentResult } from '../assignment/types';

/** Names `createStrategy` accepts. */
export const STRATEGY_NAMES = ['flexmoe', 'balanced', 'greedy', 'random', 'dense'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** One round's policy. */
export interface Strategy {
  readonly name: StrategyName;
  /**
   * Assigns experts for one round. Never throws for infeasible bounds (the answer is `elastic`);
   * throws `InvalidArgumentError` only for a malformed problem. Calling it again for the same
   * round (a retried round) replaces that round's effect on the strategy's state.
   */
  assign(problem: AssignmentProblem, signal?: AbortSignal): Promise<AssignmentResult>;
  /** The strategy's state for a checkpoint (plain JSON). */
  snapshot(): unknown;
  /** Restores `snapshot()` output; throws `FileFormatError` when it is malformed. */
  restore(state: unknown): void;
}

/** Options of the strategies (SPEC defaults). */
export interface StrategyOptions {
  /** Bound slack around the balanced share (default 0.1). */
  readonly delta?: number;
  /** Weight of the historical deficit in the bounds (default 0.1). */
  readonly gamma?: number;
  /** Per-round decay of the deficits (default 0.9). */
  readonly deficitDecay?: number;
  /** Hard time limit per solve in seconds (default 2). */
  readonly timeLimitSeconds?: number;
  /** Solver path of the flexmoe strategy (default `auto`). */
  readonly solver?: 'auto' | 'glpk' | 'heuristic';
  /** Largest C*E handed to the exact MIP by `auto` (default 256). */
  readonly exactMaxVariables?: number;
  /**
   * Warm-start each solve from the previous round's prices and assignment (default true). The
   * answer then depends on that history: checkpoint `snapshot()` (and `restore()` it) for a resumed
   * run to assign exactly as an uninterrupted one, or turn this off.
   */
  readonly warmStart?: boolean;
  /** Child logger for one line per solve (path, status, gap, time); silent when absent. */
  readonly logger?: Logger;
}
