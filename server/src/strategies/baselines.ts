/**
 * Baseline strategies behind the same interface: `greedy` (top-k_c by Q, ignores balance),
 * `random` (uniform k_c experts, seeded by run seed and round), `dense` (every client trains all
 * E experts, the capacity-free reference). They keep no state. Their answers are checked against the
 * same load bounds, so greedy's imbalance shows as an `elastic` status with its violation.
 * Aggregation and the Q update are BaseStrategy's.
 */
import { denseAssignment } from '../assignment/baselines';
import { toInstance } from '../assignment/instance';
import { buildResult, startClock } from '../assignment/result';
import { solveAssignment } from '../assignment/solve';
import type { AssignmentProblem, AssignmentResult } from '../assignment/types';
import { BaseStrategy } from './base';

/** Each client takes its top k_c experts by Q. */
export class GreedyStrategy extends BaseStrategy {
  readonly name = 'greedy';

  /** Top-k_c by Q per client. */
  assign(problem: AssignmentProblem): Promise<AssignmentResult> {
    return solveAssignment(problem, { solver: 'greedy', delta: this.options.delta });
  }
}

/** Each client takes k_c experts uniformly at random. */
export class RandomStrategy extends BaseStrategy {
  readonly name = 'random';

  /** Uniform k_c experts per client, seeded by the run seed and round. */
  assign(problem: AssignmentProblem): Promise<AssignmentResult> {
    return solveAssignment(problem, { solver: 'random', delta: this.options.delta });
  }
}

/** Every client trains every expert (its capacity is ignored). */
export class DenseStrategy extends BaseStrategy {
  readonly name = 'dense';

  /** All E experts per client. */
  assign(problem: AssignmentProblem): Promise<AssignmentResult> {
    const started = startClock();
    // Bounds follow the capacities actually used (all E), so the balanced dense load is within them.
    const dense = { ...problem, clients: problem.clients.map((c) => ({ ...c, capacity: problem.experts })) };
    const inst = toInstance(dense, this.options.delta);
    return Promise.resolve(buildResult(inst, denseAssignment(inst), { solver: 'dense', status: 'feasible', bound: Infinity, started }));
  }
}
