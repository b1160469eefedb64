// Original file: proto/flexmoe/v1/coordinator.proto

import type { TensorHeader as _flexmoe_v1_TensorHeader, TensorHeader__Output as _flexmoe_v1_TensorHeader__Output } from '../../flexmoe/v1/TensorHeader';

export interface TensorChunk {
  'name'?: (string);
  /**
   * byte offset of `data` within the tensor
   */
  'offset'?: (number);
  /**
   * raw little-endian bytes
   */
  'data'?: (Buffer | Uint8Array | string);
  /**
   * set on the chunk with offset 0 only
   */
  'header'?: (_flexmoe_v1_TensorHeader | null);
}

export interface TensorChunk__Output {
  'name': (string);
  /**
   * byte offset of `data` within the tensor
   */
  'offset': (number);
  /**
   * raw little-endian bytes
   */
  'data': (Buffer);
  /**
   * set on the chunk with offset 0 only
   */
  'header': (_flexmoe_v1_TensorHeader__Output | null);
}
