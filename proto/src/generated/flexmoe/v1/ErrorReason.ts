// Original file: proto/flexmoe/v1/coordinator.proto

/**
 * Why the coordinator refused a call: ErrorInfo.reason in grpc-status-details-bin carries the
 * value's name. The gRPC status code says what class of failure it is; the reason says which
 * one precisely. New values may be added at any time (a client treats an unknown name as
 * ERROR_REASON_UNSPECIFIED and acts on the status code).
 */
export const ErrorReason = {
  ERROR_REASON_UNSPECIFIED: 'ERROR_REASON_UNSPECIFIED',
  /**
   * INVALID_ARGUMENT: malformed request
   */
  ERROR_REASON_INVALID_ARGUMENT: 'ERROR_REASON_INVALID_ARGUMENT',
  /**
   * INVALID_ARGUMENT: tensor name, dtype or shape
   */
  ERROR_REASON_SHAPE: 'ERROR_REASON_SHAPE',
  /**
   * INVALID_ARGUMENT: NaN or infinite value
   */
  ERROR_REASON_NON_FINITE: 'ERROR_REASON_NON_FINITE',
  /**
   * DATA_LOSS: tensor bytes do not match their CRC-32
   */
  ERROR_REASON_CHECKSUM: 'ERROR_REASON_CHECKSUM',
  /**
   * RESOURCE_EXHAUSTED: larger than the model allows
   */
  ERROR_REASON_TOO_LARGE: 'ERROR_REASON_TOO_LARGE',
  /**
   * RESOURCE_EXHAUSTED: client limit, second open Submit
   */
  ERROR_REASON_RESOURCE_LIMIT: 'ERROR_REASON_RESOURCE_LIMIT',
  /**
   * UNAUTHENTICATED: unknown id, wrong token or certificate
   */
  ERROR_REASON_UNAUTHENTICATED: 'ERROR_REASON_UNAUTHENTICATED',
  /**
   * FAILED_PRECONDITION: round or attempt over (wait for the next task)
   */
  ERROR_REASON_STALE_ROUND: 'ERROR_REASON_STALE_ROUND',
  /**
   * FAILED_PRECONDITION: protocol version not spoken (upgrade)
   */
  ERROR_REASON_PROTOCOL_VERSION: 'ERROR_REASON_PROTOCOL_VERSION',
  /**
   * FAILED_PRECONDITION: any other state mismatch
   */
  ERROR_REASON_PRECONDITION: 'ERROR_REASON_PRECONDITION',
  /**
   * NOT_FOUND: session unknown or ended (join again)
   */
  ERROR_REASON_UNKNOWN_SESSION: 'ERROR_REASON_UNKNOWN_SESSION',
  /**
   * ALREADY_EXISTS: live session of this id, no `replace`
   */
  ERROR_REASON_DUPLICATE_SESSION: 'ERROR_REASON_DUPLICATE_SESSION',
  /**
   * UNAVAILABLE: coordinator shutting down (retry later)
   */
  ERROR_REASON_DRAINING: 'ERROR_REASON_DRAINING',
  /**
   * INTERNAL: a coordinator fault (details are logged there)
   */
  ERROR_REASON_INTERNAL: 'ERROR_REASON_INTERNAL',
} as const;

/**
 * Why the coordinator refused a call: ErrorInfo.reason in grpc-status-details-bin carries the
 * value's name. The gRPC status code says what class of failure it is; the reason says which
 * one precisely. New values may be added at any time (a client treats an unknown name as
 * ERROR_REASON_UNSPECIFIED and acts on the status code).
 */
export type ErrorReason =
  | 'ERROR_REASON_UNSPECIFIED'
  | 0
  /**
   * INVALID_ARGUMENT: malformed request
   */
  | 'ERROR_REASON_INVALID_ARGUMENT'
  | 1
  /**
   * INVALID_ARGUMENT: tensor name, dtype or shape
   */
  | 'ERROR_REASON_SHAPE'
  | 2
  /**
   * INVALID_ARGUMENT: NaN or infinite value
   */
  | 'ERROR_REASON_NON_FINITE'
  | 3
  /**
   * DATA_LOSS: tensor bytes do not match their CRC-32
   */
  | 'ERROR_REASON_CHECKSUM'
  | 4
  /**
   * RESOURCE_EXHAUSTED: larger than the model allows
   */
  | 'ERROR_REASON_TOO_LARGE'
  | 5
  /**
   * RESOURCE_EXHAUSTED: client limit, second open Submit
   */
  | 'ERROR_REASON_RESOURCE_LIMIT'
  | 6
  /**
   * UNAUTHENTICATED: unknown id, wrong token or certificate
   */
  | 'ERROR_REASON_UNAUTHENTICATED'
  | 7
  /**
   * FAILED_PRECONDITION: round or attempt over (wait for the next task)
   */
  | 'ERROR_REASON_STALE_ROUND'
  | 8
  /**
   * FAILED_PRECONDITION: protocol version not spoken (upgrade)
   */
  | 'ERROR_REASON_PROTOCOL_VERSION'
  | 9
  /**
   * FAILED_PRECONDITION: any other state mismatch
   */
  | 'ERROR_REASON_PRECONDITION'
  | 10
  /**
   * NOT_FOUND: session unknown or ended (join again)
   */
  | 'ERROR_REASON_UNKNOWN_SESSION'
  | 11
  /**
   * ALREADY_EXISTS: live session of this id, no `replace`
   */
  | 'ERROR_REASON_DUPLICATE_SESSION'
  | 12
  /**
   * UNAVAILABLE: coordinator shutting down (retry later)
   */
  | 'ERROR_REASON_DRAINING'
  | 13
  /**
   * INTERNAL: a coordinator fault (details are logged there)
   */
  | 'ERROR_REASON_INTERNAL'
  | 14

/**
 * Why the coordinator refused a call: ErrorInfo.reason in grpc-status-details-bin carries the
 * value's name. The gRPC status code says what class of failure it is; the reason says which
 * one precisely. New values may be added at any time (a client treats an unknown name as
 * ERROR_REASON_UNSPECIFIED and acts on the status code).
 */
export type ErrorReason__Output = typeof ErrorReason[keyof typeof ErrorReason]
