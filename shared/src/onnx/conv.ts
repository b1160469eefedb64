/**
 * Convolution and pooling helpers (NCHW, 2-D). Conv, ConvTranspose and AveragePool are float32
 * only: onnxruntime has no float64 CPU kernels for them. MaxPool works in both.
 */
import { TensorBuilder } from './tensor';
import { type Attrs, type Value, attr } from './types';

/** Geometry of a 2-D window op. */
export interface Conv2dOptions {
  /** [strideH, strideW] (default [1, 1]). */
  readonly strides?: readonly number[];
  /** [top, left, bottom, right] zero padding (default none). */
  readonly pads?: readonly number[];
}

/** Options of a pooling op. */
export interface Pool2dOptions extends Conv2dOptions {
  /** [kernelH, kernelW]. */
  readonly kernel: readonly number[];
}

/** Options of ConvTranspose. */
export interface ConvTransposeOptions extends Conv2dOptions {
  /** Extra size added at the bottom/right of the output (default [0, 0]). */
  readonly outputPadding?: readonly number[];
  /** Channel groups (default 1). */
  readonly group?: number;
}

function windowAttrs(o: Conv2dOptions, kernel?: readonly number[]): Record<string, Attrs[string]> {
  const a: Record<string, Attrs[string]> = {};
  if (kernel) a.kernel_shape = attr.ints(kernel);
  if (o.strides) a.strides = attr.ints(o.strides);
  if (o.pads) a.pads = attr.ints(o.pads);
  return a;
}

/** Convolution and pooling helpers; see `GraphBuilder` for the full builder. */
export class ConvBuilder extends TensorBuilder {
  /** 2-D convolution: x [N,C,H,W], w [M,C,kh,kw], optional bias [M]. */
  conv(x: Value, w: Value, b: Value | null = null, options: Conv2dOptions = {}): Value {
    const kernel = w.rank === 4 ? (w.shape.slice(2) as number[]) : undefined;
    return this.op1('Conv', b ? [x, w, b] : [x, w], windowAttrs(options, kernel));
  }
  /** Transposed 2-D convolution: x [N,C,H,W], w [C,M/group,kh,kw] (no gradient rule). */
  convTranspose(x: Value, w: Value, options: ConvTransposeOptions = {}): Value {
    const kernel = w.rank === 4 ? (w.shape.slice(2) as number[]) : undefined;
    const a = windowAttrs(options, kernel);
    if (options.outputPadding && options.outputPadding.some((p) => p !== 0)) a.output_padding = attr.ints(options.outputPadding);
    if (options.group && options.group !== 1) a.group = attr.int(options.group);
    return this.op1('ConvTranspose', [x, w], a);
  }
  /** 2-D max pooling; its gradient is exact on ties (scatter through the Indices output). */
  maxPool(x: Value, options: Pool2dOptions): Value {
    return this.op('MaxPool', [x], windowAttrs(options, options.kernel))[0];
  }
  /** 2-D average pooling; padded windows count the padding (count_include_pad = 1). */
  averagePool(x: Value, options: Pool2dOptions): Value {
    const a = windowAttrs(options, options.kernel);
    if (options.pads && options.pads.some((p) => p !== 0)) a.count_include_pad = attr.int(1);
    return this.op1('AveragePool', [x], a);
  }
}
