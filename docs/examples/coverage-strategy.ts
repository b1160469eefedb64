/**
 * A worked example of a FlexMoE strategy written outside the coordinator's package: it imports
 * only `@flexmoe/server`'s public entry. "coverage" gives every client the experts trained least
 * so far (fewest samples routed to them over the run), ties broken by the client's fitness Q,
 * so no expert starves. It shows the three parts of a strategy's lifecycle:
 *
 * - `assign` configures the round: which experts each sampled client trains;
 * - `aggregator` (inherited from BaseStrategy): robust FedAvg of the updates, per parameter group;
 * - `roundCompleted`: folds the round's routed usage into the strategy's own counts (and lets
 *   BaseStrategy update Q);
 *
 * plus `snapshot` / `restore`, which put the counts into the coordinator's checkpoints so a
 * restarted coordinator continues where it stopped. See docs/writing-a-strategy.md.
 */
import { BaseStrategy, FileFormatError, type AssignmentAnswer, type AssignmentProblem, type RoundCompletedEvent } from '@flexmoe/server';

/** Least-trained experts first. */
export class CoverageStrategy extends BaseStrategy {
  readonly name = 'coverage';
  /** Samples routed to each expert over the completed rounds (the round-completed hook keeps it). */
  private trained: number[] = [];

  /** Each client, in order, takes its k experts with the least training so far, this round's assignments included. */
  assign(problem: AssignmentProblem): Promise<AssignmentAnswer> {
    const E = problem.experts;
    const load = Array.from({ length: E }, (_, e) => this.trained[e] ?? 0);
    const assignment = problem.clients.map((client, c) => {
      const q = problem.q[c]!;
      // Least load first; among equals the client's best Q, then the lower expert id.
      const order = [...load.keys()].sort((a, b) => load[a]! - load[b]! || q[b]! - q[a]! || a - b);
      const chosen = order.slice(0, client.capacity).sort((a, b) => a - b);
      // Count this round's assignments at once, so the next client spreads to other experts.
      for (const e of chosen) load[e]! += client.samples;
      return chosen;
    });
    return Promise.resolve({ assignment, solver: 'coverage', status: 'feasible' });
  }

  /** Adds the samples each expert was routed this round, then updates Q as the built-ins do. */
  override roundCompleted(event: RoundCompletedEvent): void {
    for (const update of event.updates) {
      for (const r of update.experts) this.trained[r.expert] = (this.trained[r.expert] ?? 0) + r.usage;
    }
    super.roundCompleted(event);
  }

  /** Samples routed per expert so far (a copy). */
  trainedSamples(): number[] {
    return [...this.trained];
  }

  /** The counts, as plain JSON for the checkpoint. */
  override snapshot(): unknown {
    return { trained: this.trained };
  }

  /** Restores `snapshot()` output; FileFormatError when it is not. */
  override restore(state: unknown): void {
    const trained = (state as { trained?: unknown } | null)?.trained;
    if (!Array.isArray(trained) || !trained.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new FileFormatError('coverage strategy state: trained must be finite numbers >= 0');
    }
    this.trained = trained as number[];
  }
}
