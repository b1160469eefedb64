// Original file: proto/flexmoe/v1/coordinator.proto


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
}
