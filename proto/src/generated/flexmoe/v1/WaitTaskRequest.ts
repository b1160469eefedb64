// Original file: proto/flexmoe/v1/coordinator.proto


export interface WaitTaskRequest {
  'sessionId'?: (string);
}

export interface WaitTaskRequest__Output {
  'sessionId': (string);
}
