// Original file: proto/flexmoe/v1/coordinator.proto

import type { LocalOptimizer as _flexmoe_v1_LocalOptimizer, LocalOptimizer__Output as _flexmoe_v1_LocalOptimizer__Output } from '../../flexmoe/v1/LocalOptimizer';

/**
 * One round's work for one client.
 */
export interface RoundTask {
  /**
   * 1-based round number
   */
  'round'?: (number);
  /**
   * A_c, 0-based expert indices, sorted
   */
  'experts'?: (number)[];
  'learningRate'?: (number | string);
  'batchSize'?: (number);
  'localEpochs'?: (number);
  /**
   * submissions after this instant are late
   */
  'deadlineUnixMs'?: (number | string);
  /**
   * r, already capped at |A_c|
   */
  'routingTopK'?: (number);
  /**
   * seed for this client's shuffling in this round
   */
  'seed'?: (number);
  /**
   * 0 for a round's first attempt; echoed in DownloadRequest and SubmitHeader
   */
  'attempt'?: (number);
  /**
   * How the local epochs update the weights; `learning_rate` above is the peak rate. Unset by
   * coordinators that predate it: plain SGD at a constant `learning_rate`. A coordinator that
   * sends anything else refuses clients of protocol version 1 at Join (they ignore this field).
   */
  'localOptimizer'?: (_flexmoe_v1_LocalOptimizer | null);
}

/**
 * One round's work for one client.
 */
export interface RoundTask__Output {
  /**
   * 1-based round number
   */
  'round': (number);
  /**
   * A_c, 0-based expert indices, sorted
   */
  'experts': (number)[];
  'learningRate': (number);
  'batchSize': (number);
  'localEpochs': (number);
  /**
   * submissions after this instant are late
   */
  'deadlineUnixMs': (number);
  /**
   * r, already capped at |A_c|
   */
  'routingTopK': (number);
  /**
   * seed for this client's shuffling in this round
   */
  'seed': (number);
  /**
   * 0 for a round's first attempt; echoed in DownloadRequest and SubmitHeader
   */
  'attempt': (number);
  /**
   * How the local epochs update the weights; `learning_rate` above is the peak rate. Unset by
   * coordinators that predate it: plain SGD at a constant `learning_rate`. A coordinator that
   * sends anything else refuses clients of protocol version 1 at Join (they ignore this field).
   */
  'localOptimizer': (_flexmoe_v1_LocalOptimizer__Output | null);
}
