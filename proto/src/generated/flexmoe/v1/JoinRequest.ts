// Original file: proto/flexmoe/v1/coordinator.proto

import type { DeviceInfo as _flexmoe_v1_DeviceInfo, DeviceInfo__Output as _flexmoe_v1_DeviceInfo__Output } from '../../flexmoe/v1/DeviceInfo';

export interface JoinRequest {
  'clientId'?: (string);
  /**
   * PROTOCOL_VERSION of @flexmoe/proto
   */
  'protocolVersion'?: (number);
  /**
   * k_c: experts this client can hold, 1 <= k_c <= E
   */
  'capacity'?: (number);
  /**
   * n_c: training samples
   */
  'numSamples'?: (number);
  /**
   * held-out test samples
   */
  'numTestSamples'?: (number);
  'device'?: (_flexmoe_v1_DeviceInfo | null);
  /**
   * replace a live session of the same client id
   */
  'replace'?: (boolean);
}

export interface JoinRequest__Output {
  'clientId': (string);
  /**
   * PROTOCOL_VERSION of @flexmoe/proto
   */
  'protocolVersion': (number);
  /**
   * k_c: experts this client can hold, 1 <= k_c <= E
   */
  'capacity': (number);
  /**
   * n_c: training samples
   */
  'numSamples': (number);
  /**
   * held-out test samples
   */
  'numTestSamples': (number);
  'device': (_flexmoe_v1_DeviceInfo__Output | null);
  /**
   * replace a live session of the same client id
   */
  'replace': (boolean);
}
