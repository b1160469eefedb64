// Original file: proto/flexmoe/v1/coordinator.proto

import type { RunInfo as _flexmoe_v1_RunInfo, RunInfo__Output as _flexmoe_v1_RunInfo__Output } from '../../flexmoe/v1/RunInfo';
import type { ModelConfig as _flexmoe_v1_ModelConfig, ModelConfig__Output as _flexmoe_v1_ModelConfig__Output } from '../../flexmoe/v1/ModelConfig';

export interface JoinResponse {
  'sessionId'?: (string);
  'protocolVersion'?: (number);
  /**
   * Deprecated: JSON of the ModelConfig; still filled for clients of protocol version 1 that
   * predate `model` (see docs/protocol-versioning.md). New clients read `model`.
   * @deprecated
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
  /**
   * The model configuration as a typed message; replaces model_config_json. Unset by
   * coordinators that predate it: the client then falls back to model_config_json.
   */
  'model'?: (_flexmoe_v1_ModelConfig | null);
}

export interface JoinResponse__Output {
  'sessionId': (string);
  'protocolVersion': (number);
  /**
   * Deprecated: JSON of the ModelConfig; still filled for clients of protocol version 1 that
   * predate `model` (see docs/protocol-versioning.md). New clients read `model`.
   * @deprecated
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
  /**
   * The model configuration as a typed message; replaces model_config_json. Unset by
   * coordinators that predate it: the client then falls back to model_config_json.
   */
  'model': (_flexmoe_v1_ModelConfig__Output | null);
}
