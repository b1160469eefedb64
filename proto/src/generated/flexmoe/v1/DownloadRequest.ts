// Original file: proto/flexmoe/v1/coordinator.proto


export interface DownloadRequest {
  'sessionId'?: (string);
  'round'?: (number);
  /**
   * RoundTask.attempt of the task downloaded for
   */
  'attempt'?: (number);
}

export interface DownloadRequest__Output {
  'sessionId': (string);
  'round': (number);
  /**
   * RoundTask.attempt of the task downloaded for
   */
  'attempt': (number);
}
