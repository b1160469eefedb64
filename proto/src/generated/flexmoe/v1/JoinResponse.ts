// Original file: proto/flexmoe/v1/coordinator.proto

import type { RunInfo as _flexmoe_v1_RunInfo, RunInfo__Output as _flexmoe_v1_RunInfo__Output } from '../../flexmoe/v1/RunInfo';

export interface JoinResponse {
  'sessionId'?: (string);
  'protocolVersion'?: (number);
  /**
   * JSON of the ModelConfig (shared/src/model)
   */
  'modelConfigJson'?: (string);
  /**
   * E, also inside model_config_json
   */
  'numExperts'?: (number);
  'run'?: (_flexmoe_v1_RunInfo | null);
  'heartbeatIntervalMs'?: (number);
  /**
   * k_c as accepted (the coordinator caps it at E)
   */
  'capacity'?: (number);
}

export interface JoinResponse__Output {
  'sessionId': (string);
  'protocolVersion': (number);
  /**
   * JSON of the ModelConfig (shared/src/model)
   */
  'modelConfigJson': (string);
  /**
   * E, also inside model_config_json
   */
  'numExperts': (number);
  'run': (_flexmoe_v1_RunInfo__Output | null);
  'heartbeatIntervalMs': (number);
  /**
   * k_c as accepted (the coordinator caps it at E)
   */
  'capacity': (number);
}
