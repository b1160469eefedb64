// Original file: proto/flexmoe/v1/coordinator.proto


/**
 * Everything that fixes the model's parameter names and shapes, plus the loss knobs (the
 * MoEConfig of @flexmoe/shared's model layout). A coordinator fills every field; a client treats a zero count
 * or an empty list as "not sent" and uses its documented default.
 */
export interface ModelConfig {
  /**
   * "mlp", "cnn", "resnet", or a registered backbone name
   */
  'backbone'?: (string);
  /**
   * per-sample [C, H, W]
   */
  'inputShape'?: (number)[];
  'classes'?: (number);
  /**
   * E
   */
  'experts'?: (number);
  /**
   * backbone output width
   */
  'featureDim'?: (number);
  /**
   * hidden width of each expert head
   */
  'expertHidden'?: (number);
  /**
   * experts each sample is routed to
   */
  'topR'?: (number);
  /**
   * weight of the load-balancing loss (0 is a valid value)
   */
  'auxWeight'?: (number | string);
  /**
   * cnn only: the two convolutions' output channels
   */
  'convChannels'?: (number)[];
  /**
   * resnet only: widths of stem/block 1, block 2, block 3
   */
  'resnetWidths'?: (number)[];
  /**
   * resnet only: GroupNorm groups
   */
  'resnetGroups'?: (number);
}

/**
 * Everything that fixes the model's parameter names and shapes, plus the loss knobs (the
 * MoEConfig of @flexmoe/shared's model layout). A coordinator fills every field; a client treats a zero count
 * or an empty list as "not sent" and uses its documented default.
 */
export interface ModelConfig__Output {
  /**
   * "mlp", "cnn", "resnet", or a registered backbone name
   */
  'backbone': (string);
  /**
   * per-sample [C, H, W]
   */
  'inputShape': (number)[];
  'classes': (number);
  /**
   * E
   */
  'experts': (number);
  /**
   * backbone output width
   */
  'featureDim': (number);
  /**
   * hidden width of each expert head
   */
  'expertHidden': (number);
  /**
   * experts each sample is routed to
   */
  'topR': (number);
  /**
   * weight of the load-balancing loss (0 is a valid value)
   */
  'auxWeight': (number);
  /**
   * cnn only: the two convolutions' output channels
   */
  'convChannels': (number)[];
  /**
   * resnet only: widths of stem/block 1, block 2, block 3
   */
  'resnetWidths': (number)[];
  /**
   * resnet only: GroupNorm groups
   */
  'resnetGroups': (number);
}
