/**
 * Baseline strategies behind the same interface: `greedy` (top-k_c by Q, ignores balance),
 * `random` (uniform k_c experts, seeded by run seed and round), `dense` (every client trains all
 * E experts, the capacity-free reference). They keep no state. Their answers are checked against the
 * same load bounds, so greedy's imbalance shows as an `elastic` status with its violation.
 */
import { denseAssignment } from '../assignment/baselines';
import { toInstance } from '../assignment/instance';
import { buildResult, startClock } from '../assignment/result';
import { solveAssignment } from '../assignment/solve';
import type { AssignmentProblem, AssignmentResult } from '../assignment/types';
import type { Strategy, StrategyOptions } from './strategy';

abstract class Stateless {
  /** No state to checkpoint. */
  snapshot(): null {
    return null;
  }

  /** Nothing to restore. */
  restore(): void {
    // Stateless.
  }
}

/** Each client takes its top k_c experts by Q. */
export class GreedyStrategy extends Stateless implements Strategy {
  readonly name = 'greedy' as const;
  constructor(private readonly options: StrategyOptions = {}) {
    super();
  }

  /** Top-k_c by Q per client. */
  assign(problem: AssignmentProblem): Promise<AssignmentResult> {
    return solveAssignment(problem, { solver: 'greedy', delta: this.options.delta });
  }
}

/** Each client takes k_c experts uniformly at random. */
export class RandomStrategy extends Stateless implements Strategy {
  readonly name = 'random' as const;
  constructor(private readonly options: StrategyOptions = {}) {
    super();
  }

  /** Uniform k_c experts per client, seeded by the run seed and round. */
  assign(problem: AssignmentProblem): Promise<AssignmentResult> {
    return solveAssignment(problem, { solver: 'random', delta: this.options.delta });
  }
}

/** Every client trains every expert (its capacity is ignored). */
export class DenseStrategy extends Stateless implements Strategy {
  readonly name = 'dense' as const;
  constructor(private readonly options: StrategyOptions = {}) {
    super();
  }

  /** All E experts per client. */
  assign(problem: AssignmentProblem): Promise<AssignmentResult> {
    const started = startClock();
    // Bounds follow the capacities actually used (all E), so the balanced dense load is within them.
    const dense = { ...problem, clients: problem.clients.map((c) => ({ ...c, capacity: problem.experts })) };
    const inst = toInstance(dense, this.options.delta);
    return Promise.resolve(buildResult(inst, denseAssignment(inst), { solver: 'dense', status: 'feasible', bound: Infinity, started }));
  }
}
