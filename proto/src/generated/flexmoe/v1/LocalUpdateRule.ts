// Original file: proto/flexmoe/v1/coordinator.proto

/**
 * The update rule of a client's local steps.
 */
export const LocalUpdateRule = {
  /**
   * never sent: a client refuses the task rather than guess
   */
  LOCAL_UPDATE_RULE_UNSPECIFIED: 'LOCAL_UPDATE_RULE_UNSPECIFIED',
  /**
   * p -= lr * b, b = momentum * b + grad (plain SGD when momentum is 0)
   */
  LOCAL_UPDATE_RULE_SGD: 'LOCAL_UPDATE_RULE_SGD',
  /**
   * bias-corrected Adam (PyTorch's)
   */
  LOCAL_UPDATE_RULE_ADAM: 'LOCAL_UPDATE_RULE_ADAM',
} as const;

/**
 * The update rule of a client's local steps.
 */
export type LocalUpdateRule =
  /**
   * never sent: a client refuses the task rather than guess
   */
  | 'LOCAL_UPDATE_RULE_UNSPECIFIED'
  | 0
  /**
   * p -= lr * b, b = momentum * b + grad (plain SGD when momentum is 0)
   */
  | 'LOCAL_UPDATE_RULE_SGD'
  | 1
  /**
   * bias-corrected Adam (PyTorch's)
   */
  | 'LOCAL_UPDATE_RULE_ADAM'
  | 2

/**
 * The update rule of a client's local steps.
 */
export type LocalUpdateRule__Output = typeof LocalUpdateRule[keyof typeof LocalUpdateRule]
