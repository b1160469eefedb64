/**
 * What every built-in strategy shares, for strategies written elsewhere too: robust aggregation
 * (per-group clipping against the norm history, outlier rejection, then FedAvg, median or
 * trimmed mean as `options.aggregation` says), the EMA update of Q from each accepted update's
 * expert reports when a round completes, and no state of its own. A subclass writes `assign`.
 */
import { RobustAggregator } from '../aggregation/robust';
import type { AssignmentProblem } from '../assignment/types';
import type { AggregationContext, AssignmentAnswer, RoundAggregator, RoundCompletedEvent } from '../rounds/ports';
import type { Strategy, StrategyOptions } from './strategy';

/** A strategy with the built-in aggregation and Q update; subclasses decide the assignment. */
export abstract class BaseStrategy implements Strategy {
  abstract readonly name: string;

  constructor(protected readonly options: StrategyOptions = {}) {}

  /** Which experts each sampled client trains this round; rows follow `problem.clients`. */
  abstract assign(problem: AssignmentProblem, signal?: AbortSignal): Promise<AssignmentAnswer>;

  /** Robust aggregation with `options.aggregation` (default FedAvg) and `options.weighting` (default usage). */
  aggregator(context: AggregationContext): RoundAggregator {
    return new RobustAggregator(
      context.params,
      context.experts,
      this.options.aggregation ?? { kind: 'fedavg' },
      this.options.weighting ?? 'usage',
      context.norms,
    );
  }

  /** Folds each accepted update's expert reports into Q (EMA). */
  roundCompleted(event: RoundCompletedEvent): void {
    for (const u of event.updates) event.fitness.update(u.clientId, u.experts);
  }

  /** No state to checkpoint. */
  snapshot(): unknown {
    return null;
  }

  /** Nothing to restore. */
  restore(_state: unknown): void {
    // Stateless.
  }
}
