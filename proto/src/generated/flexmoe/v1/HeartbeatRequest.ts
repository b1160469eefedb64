// Original file: proto/flexmoe/v1/coordinator.proto

import type { ClientPhase as _flexmoe_v1_ClientPhase, ClientPhase__Output as _flexmoe_v1_ClientPhase__Output } from '../../flexmoe/v1/ClientPhase';

export interface HeartbeatRequest {
  'sessionId'?: (string);
  'phase'?: (_flexmoe_v1_ClientPhase);
  /**
   * round being worked on, 0 when idle
   */
  'round'?: (number);
  /**
   * 0..1 within the phase, informational only
   */
  'progress'?: (number | string);
}

export interface HeartbeatRequest__Output {
  'sessionId': (string);
  'phase': (_flexmoe_v1_ClientPhase__Output);
  /**
   * round being worked on, 0 when idle
   */
  'round': (number);
  /**
   * 0..1 within the phase, informational only
   */
  'progress': (number);
}
