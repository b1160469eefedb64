// Original file: proto/flexmoe/v1/coordinator.proto

import type { SubmitHeader as _flexmoe_v1_SubmitHeader, SubmitHeader__Output as _flexmoe_v1_SubmitHeader__Output } from '../../flexmoe/v1/SubmitHeader';
import type { TensorChunk as _flexmoe_v1_TensorChunk, TensorChunk__Output as _flexmoe_v1_TensorChunk__Output } from '../../flexmoe/v1/TensorChunk';

export interface SubmitMessage {
  /**
   * first message, exactly once
   */
  'header'?: (_flexmoe_v1_SubmitHeader | null);
  /**
   * then the tensors
   */
  'chunk'?: (_flexmoe_v1_TensorChunk | null);
  'payload'?: "header"|"chunk";
}

export interface SubmitMessage__Output {
  /**
   * first message, exactly once
   */
  'header'?: (_flexmoe_v1_SubmitHeader__Output | null);
  /**
   * then the tensors
   */
  'chunk'?: (_flexmoe_v1_TensorChunk__Output | null);
  'payload'?: "header"|"chunk";
}
