/**
 * The FLEX-MoE strategy: the load-balanced assignment ILP with bounds from the balanced share,
 * delta and the historical deficits. After each solve it records the assigned load into the
 * deficits (d = decay * d + (T - load) / T) and keeps the prices and assignment as the next
 * round's warm start. A repeated round first undoes its earlier record, so a retried round counts once.
 * Aggregation and the Q update are BaseStrategy's.
 */
import { FileFormatError } from '@flexmoe/shared';
import { solveAssignment } from '../assignment/solve';
import type { AssignmentProblem, AssignmentResult } from '../assignment/types';
import { achievableLoadBounds } from '../fitness/bounds';
import { DeficitTracker, type DeficitJSON } from '../fitness/deficits';
import { BaseStrategy } from './base';

interface FlexMoESnapshot {
  readonly deficits: DeficitJSON | null;
  readonly prices: number[] | null;
  readonly assignment: Record<string, number[]>;
  readonly lastRound: number | null;
  readonly beforeLastRound: DeficitJSON | null;
}

/** Load-balanced assignment with deficits and warm starts. */
export class FlexMoEStrategy extends BaseStrategy {
  readonly name: string = 'flexmoe';
  private deficits: DeficitTracker | null = null;
  private prices: number[] | null = null;
  private lastAssignment = new Map<string, number[]>();
  private lastRound: number | null = null;
  private beforeLastRound: DeficitJSON | null = null;

  /** Solves the round with bounds from the deficits (unless given), then records the round. */
  async assign(given: AssignmentProblem, signal?: AbortSignal): Promise<AssignmentResult> {
    const problem = this.prepare(given);
    const tracker = this.trackerFor(problem.experts, problem.round);
    const bounded = problem.lower && problem.upper ? problem : { ...problem, ...this.bounds(problem, tracker) };
    const result = await solveAssignment(bounded, {
      solver: this.options.solver ?? 'auto',
      timeLimitSeconds: this.options.timeLimitSeconds,
      exactMaxVariables: this.options.exactMaxVariables,
      warmStart: this.options.warmStart === false ? undefined : { prices: this.prices ?? undefined, assignment: this.lastAssignment },
      signal,
    });
    this.beforeLastRound = tracker.toJSON();
    this.lastRound = problem.round;
    tracker.record(result.load);
    this.prices = result.prices;
    problem.clients.forEach((c, i) => this.lastAssignment.set(c.id, result.assignment[i]));
    this.options.logger?.info(
      {
        round: problem.round,
        clients: problem.clients.length,
        experts: problem.experts,
        status: result.status,
        solver: result.solver,
        gap: result.gap,
        violation: result.violation,
        seconds: result.seconds,
      },
      'assignment solved',
    );
    return result;
  }

  /** The problem as this strategy solves it (the balanced ablation flattens Q here). */
  protected prepare(problem: AssignmentProblem): AssignmentProblem {
    return problem;
  }

  /** The deficit tracker, rolled back when this round was already recorded. */
  private trackerFor(experts: number, round: number): DeficitTracker {
    if (this.deficits && this.deficits.experts !== experts) this.deficits = null;
    if (this.deficits && this.lastRound === round && this.beforeLastRound) this.deficits = DeficitTracker.fromJSON(this.beforeLastRound);
    this.deficits ??= new DeficitTracker(experts, this.options.deficitDecay ?? 0.9);
    return this.deficits;
  }

  private bounds(problem: AssignmentProblem, tracker: DeficitTracker): { lower: number[]; upper: number[] } {
    const samples = problem.clients.map((c) => c.samples);
    const capacity = problem.clients.map((c) => c.capacity);
    const { lower, upper } = achievableLoadBounds(samples, capacity, problem.experts, {
      delta: this.options.delta,
      gamma: this.options.gamma,
      deficits: tracker.deficits,
    });
    return { lower, upper };
  }

  /** Deficits, warm-start prices and assignment, and the retry bookkeeping, as plain JSON. */
  override snapshot(): FlexMoESnapshot {
    return {
      deficits: this.deficits?.toJSON() ?? null,
      prices: this.prices,
      assignment: Object.fromEntries(this.lastAssignment),
      lastRound: this.lastRound,
      beforeLastRound: this.beforeLastRound,
    };
  }

  /** Restores `snapshot()` output; throws `FileFormatError` naming the bad field. */
  override restore(state: unknown): void {
    const s = state as Partial<FlexMoESnapshot> | null;
    if (!s || typeof s !== 'object') throw new FileFormatError('flexmoe strategy state: expected an object');
    if (s.prices !== null && !(Array.isArray(s.prices) && s.prices.every(Number.isFinite)))
      throw new FileFormatError('flexmoe strategy state: prices must be finite numbers or null');
    if (!s.assignment || typeof s.assignment !== 'object') throw new FileFormatError('flexmoe strategy state: assignment must be an object');
    for (const [id, list] of Object.entries(s.assignment)) {
      if (!Array.isArray(list) || !list.every((e) => Number.isInteger(e) && e >= 0))
        throw new FileFormatError(`flexmoe strategy state: assignment.${id} must be expert ids`);
    }
    this.deficits = s.deficits ? DeficitTracker.fromJSON(s.deficits) : null;
    this.beforeLastRound = s.beforeLastRound ? DeficitTracker.fromJSON(s.beforeLastRound).toJSON() : null;
    this.prices = s.prices ? [...s.prices] : null;
    this.lastAssignment = new Map(Object.entries(s.assignment).map(([id, list]) => [id, [...list]]));
    this.lastRound = typeof s.lastRound === 'number' ? s.lastRound : null;
  }
}

/**
 * The ablation that shows what Q adds: the same ILP, bounds, deficits and warm starts as
 * `flexmoe`, with every Q entry equal, so only load balance (and the solver's tie-breaking) decides.
 */
export class BalancedStrategy extends FlexMoEStrategy {
  override readonly name: string = 'balanced';

  /** Q replaced by ones. */
  protected override prepare(problem: AssignmentProblem): AssignmentProblem {
    return { ...problem, q: problem.q.map((row) => row.map(() => 1)) };
  }
}
