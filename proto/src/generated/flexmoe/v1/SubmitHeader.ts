// Original file: proto/flexmoe/v1/coordinator.proto

import type { ExpertStats as _flexmoe_v1_ExpertStats, ExpertStats__Output as _flexmoe_v1_ExpertStats__Output } from '../../flexmoe/v1/ExpertStats';
import type { Metrics as _flexmoe_v1_Metrics, Metrics__Output as _flexmoe_v1_Metrics__Output } from '../../flexmoe/v1/Metrics';

export interface SubmitHeader {
  'sessionId'?: (string);
  'round'?: (number);
  /**
   * n_c used this round
   */
  'numSamples'?: (number);
  'expertStats'?: (_flexmoe_v1_ExpertStats)[];
  /**
   * local training metrics (last epoch)
   */
  'train'?: (_flexmoe_v1_Metrics | null);
  /**
   * personalised model on the client's held-out test split
   */
  'test'?: (_flexmoe_v1_Metrics | null);
  'tensorCount'?: (number);
  /**
   * sum of byte_length over all tensors that follow
   */
  'totalBytes'?: (number);
  'trainSeconds'?: (number | string);
  'downloadSeconds'?: (number | string);
  /**
   * RoundTask.attempt of the task this update answers
   */
  'attempt'?: (number);
  /**
   * The downloaded (aggregated) backbone and experts with the client's own gate, on its held-out
   * split, before any local step. Unset by clients that do not measure it.
   */
  'preLocal'?: (_flexmoe_v1_Metrics | null);
  /**
   * The same model as pre_local (aggregated parts, the client's gate) on one class-balanced
   * global test set.
   */
  'global'?: (_flexmoe_v1_Metrics | null);
  /**
   * Set when the client could not train this task (no tensors follow, tensor_count and
   * total_bytes are 0): the coordinator counts the client as failed at once instead of waiting
   * for the deadline. `diverged` tells that the loss became non-finite on the global parameters.
   */
  'failure'?: (string);
  'diverged'?: (boolean);
}

export interface SubmitHeader__Output {
  'sessionId': (string);
  'round': (number);
  /**
   * n_c used this round
   */
  'numSamples': (number);
  'expertStats': (_flexmoe_v1_ExpertStats__Output)[];
  /**
   * local training metrics (last epoch)
   */
  'train': (_flexmoe_v1_Metrics__Output | null);
  /**
   * personalised model on the client's held-out test split
   */
  'test': (_flexmoe_v1_Metrics__Output | null);
  'tensorCount': (number);
  /**
   * sum of byte_length over all tensors that follow
   */
  'totalBytes': (number);
  'trainSeconds': (number);
  'downloadSeconds': (number);
  /**
   * RoundTask.attempt of the task this update answers
   */
  'attempt': (number);
  /**
   * The downloaded (aggregated) backbone and experts with the client's own gate, on its held-out
   * split, before any local step. Unset by clients that do not measure it.
   */
  'preLocal': (_flexmoe_v1_Metrics__Output | null);
  /**
   * The same model as pre_local (aggregated parts, the client's gate) on one class-balanced
   * global test set.
   */
  'global': (_flexmoe_v1_Metrics__Output | null);
  /**
   * Set when the client could not train this task (no tensors follow, tensor_count and
   * total_bytes are 0): the coordinator counts the client as failed at once instead of waiting
   * for the deadline. `diverged` tells that the loss became non-finite on the global parameters.
   */
  'failure': (string);
  'diverged': (boolean);
}
