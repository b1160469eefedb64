// Original file: proto/flexmoe/v1/coordinator.proto


/**
 * Statistics of one assigned expert after local training.
 */
export interface ExpertStats {
  'expert'?: (number);
  /**
   * u_{c,e}: local samples routed to e (last epoch)
   */
  'usage'?: (number);
  /**
   * a_{c,e}: accuracy on those samples
   */
  'accuracy'?: (number | string);
  /**
   * l_{c,e}: mean loss on those samples
   */
  'loss'?: (number | string);
}

/**
 * Statistics of one assigned expert after local training.
 */
export interface ExpertStats__Output {
  'expert': (number);
  /**
   * u_{c,e}: local samples routed to e (last epoch)
   */
  'usage': (number);
  /**
   * a_{c,e}: accuracy on those samples
   */
  'accuracy': (number);
  /**
   * l_{c,e}: mean loss on those samples
   */
  'loss': (number);
}
