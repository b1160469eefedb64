// Original file: proto/flexmoe/v1/coordinator.proto


/**
 * The run is over; the client may write its final model and exit or stay idle.
 */
export interface RunComplete {
  'completedRounds'?: (number);
  'finalAccuracy'?: (number | string);
}

/**
 * The run is over; the client may write its final model and exit or stay idle.
 */
export interface RunComplete__Output {
  'completedRounds': (number);
  'finalAccuracy': (number);
}
