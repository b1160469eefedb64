/**
 * The coordinator's Prometheus metrics (SPEC section 2 names, prefix `flexmoe_`), on a registry
 * created at the composition root and passed in.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '@flexmoe/shared';

/** Every metric the coordinator updates. */
export interface CoordinatorMetrics {
  readonly registry: Registry;
  readonly round: Gauge;
  readonly roundDuration: Histogram;
  readonly solveSeconds: Histogram;
  readonly solveTimeouts: Counter;
  readonly expertLoad: Gauge<'expert'>;
  readonly expertLoadCv: Gauge;
  readonly routedLoadCv: Gauge;
  readonly clientsConnected: Gauge;
  readonly updatesTotal: Counter<'result'>;
  readonly transferBytes: Counter<'direction'>;
  readonly evalAccuracy: Gauge;
  readonly roundFailures: Counter<'reason'>;
  readonly roundAttemptErrors: Counter;
}

/** Creates the metrics on a fresh registry (with the process's default metrics). */
export function createMetrics(): CoordinatorMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry, 'flexmoe_process_');
  const r = [registry];
  return {
    registry,
    round: new Gauge({ name: 'flexmoe_round', help: 'Last completed round', registers: r }),
    roundDuration: new Histogram({
      name: 'flexmoe_round_duration_seconds',
      help: 'Wall-clock time of a completed round',
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers: r,
    }),
    solveSeconds: new Histogram({
      name: 'flexmoe_assignment_solve_seconds',
      help: 'Time of the assignment solve',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: r,
    }),
    solveTimeouts: new Counter({
      name: 'flexmoe_assignment_solve_timeouts_total',
      help: 'Assignment solves cut short by the solver time limit (their answers depend on timing)',
      registers: r,
    }),
    expertLoad: new Gauge({ name: 'flexmoe_expert_load', help: 'Assigned load sum_c n_c X_ce of the last round', labelNames: ['expert'], registers: r }),
    expertLoadCv: new Gauge({ name: 'flexmoe_expert_load_cv', help: 'Coefficient of variation of the assigned expert load', registers: r }),
    routedLoadCv: new Gauge({ name: 'flexmoe_expert_routed_load_cv', help: 'Coefficient of variation of the routed expert load', registers: r }),
    clientsConnected: new Gauge({ name: 'flexmoe_clients_connected', help: 'Live client sessions', registers: r }),
    updatesTotal: new Counter({ name: 'flexmoe_updates_total', help: 'Client updates by result', labelNames: ['result'], registers: r }),
    transferBytes: new Counter({ name: 'flexmoe_transfer_bytes_total', help: 'Tensor bytes moved', labelNames: ['direction'], registers: r }),
    evalAccuracy: new Gauge({ name: 'flexmoe_eval_accuracy', help: 'Sample-weighted mean client test accuracy of the last round', registers: r }),
    roundFailures: new Counter({ name: 'flexmoe_client_failures_total', help: 'Sampled clients that did not deliver', labelNames: ['reason'], registers: r }),
    roundAttemptErrors: new Counter({
      name: 'flexmoe_round_attempt_errors_total',
      help: 'Round attempts that threw (backed off; see the failed state)',
      registers: r,
    }),
  };
}
