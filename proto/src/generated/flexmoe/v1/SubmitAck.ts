// Original file: proto/flexmoe/v1/coordinator.proto


export interface SubmitAck {
  'accepted'?: (boolean);
  'round'?: (number);
  'bytesReceived'?: (number);
  'message'?: (string);
}

export interface SubmitAck__Output {
  'accepted': (boolean);
  'round': (number);
  'bytesReceived': (number);
  'message': (string);
}
