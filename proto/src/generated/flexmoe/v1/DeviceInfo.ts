// Original file: proto/flexmoe/v1/coordinator.proto


/**
 * Facts about the client's device, logged and shown on the status page.
 */
export interface DeviceInfo {
  /**
   * os.platform(), e.g. "linux"
   */
  'platform'?: (string);
  /**
   * os.arch(), e.g. "arm64"
   */
  'arch'?: (string);
  /**
   * logical CPUs
   */
  'cpus'?: (number);
  /**
   * os.totalmem()
   */
  'totalMemoryBytes'?: (number | string);
  /**
   * e.g. "node v20.20.2 onnxruntime-node 1.30.0"
   */
  'runtime'?: (string);
  'hostname'?: (string);
}

/**
 * Facts about the client's device, logged and shown on the status page.
 */
export interface DeviceInfo__Output {
  /**
   * os.platform(), e.g. "linux"
   */
  'platform': (string);
  /**
   * os.arch(), e.g. "arm64"
   */
  'arch': (string);
  /**
   * logical CPUs
   */
  'cpus': (number);
  /**
   * os.totalmem()
   */
  'totalMemoryBytes': (number);
  /**
   * e.g. "node v20.20.2 onnxruntime-node 1.30.0"
   */
  'runtime': (string);
  'hostname': (string);
}
