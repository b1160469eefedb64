/**
 * What the round engine exchanges with client proxies: the task it dispatches and the update a
 * client returns. Transport-agnostic: only transport/ knows how these travel.
 */
import type { ParamMap, TaskOptimizer } from '@flexmoe/shared';

/** One client's work in one round. */
export interface RoundTaskSpec {
  readonly round: number;
  /** 0 for the round's first attempt; clients echo it so another attempt's update is told apart. */
  readonly attempt: number;
  /** A_c, 0-based, ascending. */
  readonly experts: readonly number[];
  /** This round's (peak) learning rate. */
  readonly learningRate: number;
  /** The local update rule and schedule (RoundTask.local_optimizer). */
  readonly optimizer: TaskOptimizer;
  readonly batchSize: number;
  readonly localEpochs: number;
  readonly deadlineUnixMs: number;
  readonly routingTopK: number;
  readonly seed: number;
}

/** u, a, l of one trained expert, and its own prediction's accuracy and loss on its routed samples. */
export interface ExpertReport {
  readonly expert: number;
  readonly usage: number;
  readonly accuracy: number;
  readonly loss: number;
  /** Accuracy of the expert's own logits; undefined when the client did not report it. */
  readonly ownAccuracy?: number;
  /** Mean cross-entropy of the expert's own logits; undefined when not reported. */
  readonly ownLoss?: number;
}

/** Loss / accuracy over some samples. */
export interface MetricReport {
  readonly loss: number;
  readonly accuracy: number;
  readonly samples: number;
}

/** A validated client update for one round. */
export interface ClientUpdate {
  readonly clientId: string;
  readonly round: number;
  readonly samples: number;
  readonly experts: readonly ExpertReport[];
  readonly train: MetricReport;
  readonly test: MetricReport;
  /** The aggregated model with the client's gate on its held-out split, before local training. */
  readonly preLocal?: MetricReport;
  /** The aggregated model with the client's gate (as preLocal) on the class-balanced global test set. */
  readonly global?: MetricReport;
  /** Updated backbone and assigned experts. */
  readonly params: ParamMap;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly trainSeconds: number;
}

/** The round loop's view of a client; `fit` resolves with its update or rejects on failure. */
export interface ClientProxy {
  readonly id: string;
  readonly samples: number;
  readonly capacity: number;
  /** Dispatches the task and waits for the update; rejects when the client fails or `signal` aborts. */
  fit(task: RoundTaskSpec, signal: AbortSignal): Promise<ClientUpdate>;
}
