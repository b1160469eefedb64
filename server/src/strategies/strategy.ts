/**
 * The strategy: the coordinator's per-round policy, in the shape of Flower's Strategy. It
 * configures each round (`assign`: which experts each sampled client trains), aggregates it
 * (`aggregator`: how the updates fold into the next global parameters) and hears when a round was
 * aggregated (`roundCompleted`: e.g. fold the clients' feedback into Q). Its own state goes into
 * the coordinator's checkpoints through `snapshot` / `restore`. Extend `BaseStrategy` to keep the
 * built-in aggregation and Q update and write only `assign`; see docs/writing-a-strategy.md.
 */
import type { Logger } from '@flexmoe/shared';
import type { ExpertWeighting } from '../aggregation/aggregate';
import type { AggregationRule } from '../aggregation/rules';
import type { StrategyPort } from '../rounds/ports';

/** A round policy the coordinator runs. */
export interface Strategy extends StrategyPort {
  /** The name the run is recorded under (checkpoints refuse to resume with another name). */
  readonly name: string;
  /** The strategy's state for a checkpoint (plain JSON; null when it keeps none). */
  snapshot(): unknown;
  /** Restores `snapshot()` output; throws `FileFormatError` when it is malformed. */
  restore(state: unknown): void;
}

/** Options of the built-in strategies (SPEC defaults). */
export interface StrategyOptions {
  /** Bound slack around the balanced share (default 0.1). */
  readonly delta?: number;
  /** Weight of the historical deficit in the bounds (default 0.1). */
  readonly gamma?: number;
  /** Per-round decay of the deficits (default 0.9). */
  readonly deficitDecay?: number;
  /** Hard time limit per solve in seconds (default `SOLVE_DEFAULTS.timeLimitSeconds`, 30: the search itself is bounded by counted work). */
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
  /** Rule applied per parameter group after clipping (default FedAvg). */
  readonly aggregation?: AggregationRule;
  /** How expert updates are weighted: by routed usage (default) or by samples. */
  readonly weighting?: ExpertWeighting;
  /** Child logger for one line per solve (path, status, gap, time); silent when absent. */
  readonly logger?: Logger;
}
