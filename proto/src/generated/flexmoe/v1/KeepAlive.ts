// Original file: proto/flexmoe/v1/coordinator.proto


/**
 * Sent periodically on an idle WaitTask stream.
 */
export interface KeepAlive {
  'serverTimeUnixMs'?: (number | string);
}

/**
 * Sent periodically on an idle WaitTask stream.
 */
export interface KeepAlive__Output {
  'serverTimeUnixMs': (number);
}
