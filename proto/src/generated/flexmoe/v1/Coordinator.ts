// Original file: proto/flexmoe/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DownloadRequest as _flexmoe_v1_DownloadRequest, DownloadRequest__Output as _flexmoe_v1_DownloadRequest__Output } from '../../flexmoe/v1/DownloadRequest';
import type { HeartbeatRequest as _flexmoe_v1_HeartbeatRequest, HeartbeatRequest__Output as _flexmoe_v1_HeartbeatRequest__Output } from '../../flexmoe/v1/HeartbeatRequest';
import type { HeartbeatResponse as _flexmoe_v1_HeartbeatResponse, HeartbeatResponse__Output as _flexmoe_v1_HeartbeatResponse__Output } from '../../flexmoe/v1/HeartbeatResponse';
import type { JoinRequest as _flexmoe_v1_JoinRequest, JoinRequest__Output as _flexmoe_v1_JoinRequest__Output } from '../../flexmoe/v1/JoinRequest';
import type { JoinResponse as _flexmoe_v1_JoinResponse, JoinResponse__Output as _flexmoe_v1_JoinResponse__Output } from '../../flexmoe/v1/JoinResponse';
import type { LeaveRequest as _flexmoe_v1_LeaveRequest, LeaveRequest__Output as _flexmoe_v1_LeaveRequest__Output } from '../../flexmoe/v1/LeaveRequest';
import type { LeaveResponse as _flexmoe_v1_LeaveResponse, LeaveResponse__Output as _flexmoe_v1_LeaveResponse__Output } from '../../flexmoe/v1/LeaveResponse';
import type { SubmitAck as _flexmoe_v1_SubmitAck, SubmitAck__Output as _flexmoe_v1_SubmitAck__Output } from '../../flexmoe/v1/SubmitAck';
import type { SubmitMessage as _flexmoe_v1_SubmitMessage, SubmitMessage__Output as _flexmoe_v1_SubmitMessage__Output } from '../../flexmoe/v1/SubmitMessage';
import type { TaskEvent as _flexmoe_v1_TaskEvent, TaskEvent__Output as _flexmoe_v1_TaskEvent__Output } from '../../flexmoe/v1/TaskEvent';
import type { TensorChunk as _flexmoe_v1_TensorChunk, TensorChunk__Output as _flexmoe_v1_TensorChunk__Output } from '../../flexmoe/v1/TensorChunk';
import type { WaitTaskRequest as _flexmoe_v1_WaitTaskRequest, WaitTaskRequest__Output as _flexmoe_v1_WaitTaskRequest__Output } from '../../flexmoe/v1/WaitTaskRequest';

/**
 * The coordinator's service. Every RPC must be called with a deadline.
 */
export interface CoordinatorClient extends grpc.Client {
  Download(argument: _flexmoe_v1_DownloadRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TensorChunk__Output>;
  Download(argument: _flexmoe_v1_DownloadRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TensorChunk__Output>;
  download(argument: _flexmoe_v1_DownloadRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TensorChunk__Output>;
  download(argument: _flexmoe_v1_DownloadRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TensorChunk__Output>;
  
  Heartbeat(argument: _flexmoe_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _flexmoe_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _flexmoe_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _flexmoe_v1_HeartbeatRequest, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _flexmoe_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _flexmoe_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _flexmoe_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _flexmoe_v1_HeartbeatRequest, callback: grpc.requestCallback<_flexmoe_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  Join(argument: _flexmoe_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _flexmoe_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _flexmoe_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _flexmoe_v1_JoinRequest, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _flexmoe_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _flexmoe_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _flexmoe_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _flexmoe_v1_JoinRequest, callback: grpc.requestCallback<_flexmoe_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
  Leave(argument: _flexmoe_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _flexmoe_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _flexmoe_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  Leave(argument: _flexmoe_v1_LeaveRequest, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _flexmoe_v1_LeaveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _flexmoe_v1_LeaveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _flexmoe_v1_LeaveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  leave(argument: _flexmoe_v1_LeaveRequest, callback: grpc.requestCallback<_flexmoe_v1_LeaveResponse__Output>): grpc.ClientUnaryCall;
  
  Submit(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  Submit(metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  Submit(options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  Submit(callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  submit(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  submit(metadata: grpc.Metadata, callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  submit(options: grpc.CallOptions, callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  submit(callback: grpc.requestCallback<_flexmoe_v1_SubmitAck__Output>): grpc.ClientWritableStream<_flexmoe_v1_SubmitMessage>;
  
  WaitTask(argument: _flexmoe_v1_WaitTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TaskEvent__Output>;
  WaitTask(argument: _flexmoe_v1_WaitTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TaskEvent__Output>;
  waitTask(argument: _flexmoe_v1_WaitTaskRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TaskEvent__Output>;
  waitTask(argument: _flexmoe_v1_WaitTaskRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_flexmoe_v1_TaskEvent__Output>;
  
}

/**
 * The coordinator's service. Every RPC must be called with a deadline.
 */
export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  Download: grpc.handleServerStreamingCall<_flexmoe_v1_DownloadRequest__Output, _flexmoe_v1_TensorChunk>;
  
  Heartbeat: grpc.handleUnaryCall<_flexmoe_v1_HeartbeatRequest__Output, _flexmoe_v1_HeartbeatResponse>;
  
  Join: grpc.handleUnaryCall<_flexmoe_v1_JoinRequest__Output, _flexmoe_v1_JoinResponse>;
  
  Leave: grpc.handleUnaryCall<_flexmoe_v1_LeaveRequest__Output, _flexmoe_v1_LeaveResponse>;
  
  Submit: grpc.handleClientStreamingCall<_flexmoe_v1_SubmitMessage__Output, _flexmoe_v1_SubmitAck>;
  
  WaitTask: grpc.handleServerStreamingCall<_flexmoe_v1_WaitTaskRequest__Output, _flexmoe_v1_TaskEvent>;
  
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  Download: MethodDefinition<_flexmoe_v1_DownloadRequest, _flexmoe_v1_TensorChunk, _flexmoe_v1_DownloadRequest__Output, _flexmoe_v1_TensorChunk__Output>
  Heartbeat: MethodDefinition<_flexmoe_v1_HeartbeatRequest, _flexmoe_v1_HeartbeatResponse, _flexmoe_v1_HeartbeatRequest__Output, _flexmoe_v1_HeartbeatResponse__Output>
  Join: MethodDefinition<_flexmoe_v1_JoinRequest, _flexmoe_v1_JoinResponse, _flexmoe_v1_JoinRequest__Output, _flexmoe_v1_JoinResponse__Output>
  Leave: MethodDefinition<_flexmoe_v1_LeaveRequest, _flexmoe_v1_LeaveResponse, _flexmoe_v1_LeaveRequest__Output, _flexmoe_v1_LeaveResponse__Output>
  Submit: MethodDefinition<_flexmoe_v1_SubmitMessage, _flexmoe_v1_SubmitAck, _flexmoe_v1_SubmitMessage__Output, _flexmoe_v1_SubmitAck__Output>
  WaitTask: MethodDefinition<_flexmoe_v1_WaitTaskRequest, _flexmoe_v1_TaskEvent, _flexmoe_v1_WaitTaskRequest__Output, _flexmoe_v1_TaskEvent__Output>
}
