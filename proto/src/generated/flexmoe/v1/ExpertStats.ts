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
  /**
   * The expert's own prediction (its own logits, not the mixture) on the samples routed to it:
   * tells a client's experts apart even when every sample reaches every assigned expert.
   */
  'ownAccuracy'?: (number | string);
  'ownLoss'?: (number | string);
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
  /**
   * The expert's own prediction (its own logits, not the mixture) on the samples routed to it:
   * tells a client's experts apart even when every sample reaches every assigned expert.
   */
  'ownAccuracy': (number);
  'ownLoss': (number);
}
