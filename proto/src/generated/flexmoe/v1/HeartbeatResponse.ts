// Original file: proto/flexmoe/v1/coordinator.proto


export interface HeartbeatResponse {
  'serverTimeUnixMs'?: (number | string);
  /**
   * the round the coordinator is running, 0 when none
   */
  'currentRound'?: (number);
  /**
   * the coordinator is shutting down
   */
  'draining'?: (boolean);
}

export interface HeartbeatResponse__Output {
  'serverTimeUnixMs': (number);
  /**
   * the round the coordinator is running, 0 when none
   */
  'currentRound': (number);
  /**
   * the coordinator is shutting down
   */
  'draining': (boolean);
}
