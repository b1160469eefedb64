// Original file: proto/flexmoe/v1/coordinator.proto

import type { RoundTask as _flexmoe_v1_RoundTask, RoundTask__Output as _flexmoe_v1_RoundTask__Output } from '../../flexmoe/v1/RoundTask';
import type { RunComplete as _flexmoe_v1_RunComplete, RunComplete__Output as _flexmoe_v1_RunComplete__Output } from '../../flexmoe/v1/RunComplete';
import type { KeepAlive as _flexmoe_v1_KeepAlive, KeepAlive__Output as _flexmoe_v1_KeepAlive__Output } from '../../flexmoe/v1/KeepAlive';

export interface TaskEvent {
  'task'?: (_flexmoe_v1_RoundTask | null);
  'complete'?: (_flexmoe_v1_RunComplete | null);
  'keepAlive'?: (_flexmoe_v1_KeepAlive | null);
  'event'?: "task"|"complete"|"keepAlive";
}

export interface TaskEvent__Output {
  'task'?: (_flexmoe_v1_RoundTask__Output | null);
  'complete'?: (_flexmoe_v1_RunComplete__Output | null);
  'keepAlive'?: (_flexmoe_v1_KeepAlive__Output | null);
  'event'?: "task"|"complete"|"keepAlive";
}
