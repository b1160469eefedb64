// Original file: proto/flexmoe/v1/coordinator.proto

import type { DType as _flexmoe_v1_DType, DType__Output as _flexmoe_v1_DType__Output } from '../../flexmoe/v1/DType';

/**
 * Sent in the first chunk (offset 0) of each tensor.
 */
export interface TensorHeader {
  /**
   * e.g. "backbone.fc1.weight", "expert.3.fc.bias"
   */
  'name'?: (string);
  'dtype'?: (_flexmoe_v1_DType);
  'shape'?: (number)[];
  /**
   * product(shape) * bytes per element
   */
  'byteLength'?: (number);
  /**
   * CRC-32 (IEEE, zlib) of all byte_length bytes
   */
  'crc32'?: (number);
}

/**
 * Sent in the first chunk (offset 0) of each tensor.
 */
export interface TensorHeader__Output {
  /**
   * e.g. "backbone.fc1.weight", "expert.3.fc.bias"
   */
  'name': (string);
  'dtype': (_flexmoe_v1_DType__Output);
  'shape': (number)[];
  /**
   * product(shape) * bytes per element
   */
  'byteLength': (number);
  /**
   * CRC-32 (IEEE, zlib) of all byte_length bytes
   */
  'crc32': (number);
}
