/**
 * Convolution and pooling helpers (NCHW, float32: onnxruntime has no float64 CPU kernels for them).
 */
import { TensorBuilder } from './tensor';

/** Convolution and pooling helpers; see `GraphBuilder` for the full builder. */
export class ConvBuilder extends TensorBuilder {}
