// Original file: proto/flexmoe/v1/coordinator.proto


/**
 * What the run looks like when the client joins.
 */
export interface RunInfo {
  'runId'?: (string);
  'totalRounds'?: (number);
  /**
   * rounds aggregated so far
   */
  'completedRounds'?: (number);
  /**
   * flexmoe | greedy | random | dense
   */
  'strategy'?: (string);
  'seed'?: (number);
}

/**
 * What the run looks like when the client joins.
 */
export interface RunInfo__Output {
  'runId': (string);
  'totalRounds': (number);
  /**
   * rounds aggregated so far
   */
  'completedRounds': (number);
  /**
   * flexmoe | greedy | random | dense
   */
  'strategy': (string);
  'seed': (number);
}
