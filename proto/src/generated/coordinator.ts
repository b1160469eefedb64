import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CoordinatorClient as _flexmoe_v1_CoordinatorClient, CoordinatorDefinition as _flexmoe_v1_CoordinatorDefinition } from './flexmoe/v1/Coordinator';
import type { DeviceInfo as _flexmoe_v1_DeviceInfo, DeviceInfo__Output as _flexmoe_v1_DeviceInfo__Output } from './flexmoe/v1/DeviceInfo';
import type { DownloadRequest as _flexmoe_v1_DownloadRequest, DownloadRequest__Output as _flexmoe_v1_DownloadRequest__Output } from './flexmoe/v1/DownloadRequest';
import type { ExpertStats as _flexmoe_v1_ExpertStats, ExpertStats__Output as _flexmoe_v1_ExpertStats__Output } from './flexmoe/v1/ExpertStats';
import type { HeartbeatRequest as _flexmoe_v1_HeartbeatRequest, HeartbeatRequest__Output as _flexmoe_v1_HeartbeatRequest__Output } from './flexmoe/v1/HeartbeatRequest';
import type { HeartbeatResponse as _flexmoe_v1_HeartbeatResponse, HeartbeatResponse__Output as _flexmoe_v1_HeartbeatResponse__Output } from './flexmoe/v1/HeartbeatResponse';
import type { JoinRequest as _flexmoe_v1_JoinRequest, JoinRequest__Output as _flexmoe_v1_JoinRequest__Output } from './flexmoe/v1/JoinRequest';
import type { JoinResponse as _flexmoe_v1_JoinResponse, JoinResponse__Output as _flexmoe_v1_JoinResponse__Output } from './flexmoe/v1/JoinResponse';
import type { KeepAlive as _flexmoe_v1_KeepAlive, KeepAlive__Output as _flexmoe_v1_KeepAlive__Output } from './flexmoe/v1/KeepAlive';
import type { LeaveRequest as _flexmoe_v1_LeaveRequest, LeaveRequest__Output as _flexmoe_v1_LeaveRequest__Output } from './flexmoe/v1/LeaveRequest';
import type { LeaveResponse as _flexmoe_v1_LeaveResponse, LeaveResponse__Output as _flexmoe_v1_LeaveResponse__Output } from './flexmoe/v1/LeaveResponse';
import type { LocalOptimizer as _flexmoe_v1_LocalOptimizer, LocalOptimizer__Output as _flexmoe_v1_LocalOptimizer__Output } from './flexmoe/v1/LocalOptimizer';
import type { Metrics as _flexmoe_v1_Metrics, Metrics__Output as _flexmoe_v1_Metrics__Output } from './flexmoe/v1/Metrics';
import type { ModelConfig as _flexmoe_v1_ModelConfig, ModelConfig__Output as _flexmoe_v1_ModelConfig__Output } from './flexmoe/v1/ModelConfig';
import type { RoundTask as _flexmoe_v1_RoundTask, RoundTask__Output as _flexmoe_v1_RoundTask__Output } from './flexmoe/v1/RoundTask';
import type { RunComplete as _flexmoe_v1_RunComplete, RunComplete__Output as _flexmoe_v1_RunComplete__Output } from './flexmoe/v1/RunComplete';
import type { RunInfo as _flexmoe_v1_RunInfo, RunInfo__Output as _flexmoe_v1_RunInfo__Output } from './flexmoe/v1/RunInfo';
import type { SubmitAck as _flexmoe_v1_SubmitAck, SubmitAck__Output as _flexmoe_v1_SubmitAck__Output } from './flexmoe/v1/SubmitAck';
import type { SubmitHeader as _flexmoe_v1_SubmitHeader, SubmitHeader__Output as _flexmoe_v1_SubmitHeader__Output } from './flexmoe/v1/SubmitHeader';
import type { SubmitMessage as _flexmoe_v1_SubmitMessage, SubmitMessage__Output as _flexmoe_v1_SubmitMessage__Output } from './flexmoe/v1/SubmitMessage';
import type { TaskEvent as _flexmoe_v1_TaskEvent, TaskEvent__Output as _flexmoe_v1_TaskEvent__Output } from './flexmoe/v1/TaskEvent';
import type { TensorChunk as _flexmoe_v1_TensorChunk, TensorChunk__Output as _flexmoe_v1_TensorChunk__Output } from './flexmoe/v1/TensorChunk';
import type { TensorHeader as _flexmoe_v1_TensorHeader, TensorHeader__Output as _flexmoe_v1_TensorHeader__Output } from './flexmoe/v1/TensorHeader';
import type { WaitTaskRequest as _flexmoe_v1_WaitTaskRequest, WaitTaskRequest__Output as _flexmoe_v1_WaitTaskRequest__Output } from './flexmoe/v1/WaitTaskRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  flexmoe: {
    v1: {
      ClientPhase: EnumTypeDefinition
      /**
       * The coordinator's service. Every RPC must be called with a deadline.
       */
      Coordinator: SubtypeConstructor<typeof grpc.Client, _flexmoe_v1_CoordinatorClient> & { service: _flexmoe_v1_CoordinatorDefinition }
      DType: EnumTypeDefinition
      DeviceInfo: MessageTypeDefinition<_flexmoe_v1_DeviceInfo, _flexmoe_v1_DeviceInfo__Output>
      DownloadRequest: MessageTypeDefinition<_flexmoe_v1_DownloadRequest, _flexmoe_v1_DownloadRequest__Output>
      ErrorReason: EnumTypeDefinition
      ExpertStats: MessageTypeDefinition<_flexmoe_v1_ExpertStats, _flexmoe_v1_ExpertStats__Output>
      HeartbeatRequest: MessageTypeDefinition<_flexmoe_v1_HeartbeatRequest, _flexmoe_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_flexmoe_v1_HeartbeatResponse, _flexmoe_v1_HeartbeatResponse__Output>
      JoinRequest: MessageTypeDefinition<_flexmoe_v1_JoinRequest, _flexmoe_v1_JoinRequest__Output>
      JoinResponse: MessageTypeDefinition<_flexmoe_v1_JoinResponse, _flexmoe_v1_JoinResponse__Output>
      KeepAlive: MessageTypeDefinition<_flexmoe_v1_KeepAlive, _flexmoe_v1_KeepAlive__Output>
      LeaveRequest: MessageTypeDefinition<_flexmoe_v1_LeaveRequest, _flexmoe_v1_LeaveRequest__Output>
      LeaveResponse: MessageTypeDefinition<_flexmoe_v1_LeaveResponse, _flexmoe_v1_LeaveResponse__Output>
      LocalOptimizer: MessageTypeDefinition<_flexmoe_v1_LocalOptimizer, _flexmoe_v1_LocalOptimizer__Output>
      LocalSchedule: EnumTypeDefinition
      LocalUpdateRule: EnumTypeDefinition
      Metrics: MessageTypeDefinition<_flexmoe_v1_Metrics, _flexmoe_v1_Metrics__Output>
      ModelConfig: MessageTypeDefinition<_flexmoe_v1_ModelConfig, _flexmoe_v1_ModelConfig__Output>
      RoundTask: MessageTypeDefinition<_flexmoe_v1_RoundTask, _flexmoe_v1_RoundTask__Output>
      RunComplete: MessageTypeDefinition<_flexmoe_v1_RunComplete, _flexmoe_v1_RunComplete__Output>
      RunInfo: MessageTypeDefinition<_flexmoe_v1_RunInfo, _flexmoe_v1_RunInfo__Output>
      SubmitAck: MessageTypeDefinition<_flexmoe_v1_SubmitAck, _flexmoe_v1_SubmitAck__Output>
      SubmitHeader: MessageTypeDefinition<_flexmoe_v1_SubmitHeader, _flexmoe_v1_SubmitHeader__Output>
      SubmitMessage: MessageTypeDefinition<_flexmoe_v1_SubmitMessage, _flexmoe_v1_SubmitMessage__Output>
      TaskEvent: MessageTypeDefinition<_flexmoe_v1_TaskEvent, _flexmoe_v1_TaskEvent__Output>
      TensorChunk: MessageTypeDefinition<_flexmoe_v1_TensorChunk, _flexmoe_v1_TensorChunk__Output>
      TensorHeader: MessageTypeDefinition<_flexmoe_v1_TensorHeader, _flexmoe_v1_TensorHeader__Output>
      WaitTaskRequest: MessageTypeDefinition<_flexmoe_v1_WaitTaskRequest, _flexmoe_v1_WaitTaskRequest__Output>
    }
  }
}

