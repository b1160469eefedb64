// Original file: proto/flexmoe/v1/coordinator.proto


export interface LeaveRequest {
  'sessionId'?: (string);
  'reason'?: (string);
}

export interface LeaveRequest__Output {
  'sessionId': (string);
  'reason': (string);
}
