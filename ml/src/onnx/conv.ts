/**
 * Convolution and pooling helpers (NCHW, 2-D). onnxruntime has no float64 CPU kernels for Conv,
 * ConvTranspose and AveragePool: `conv` lowers itself to im2col on float64 graphs, the other two
 * are float32 only. MaxPool works in both.
 */
import { setCustomGradient } from './autodiff';
import { type Window, windowOf } from './ops/conv';
import { nchwcConv, nchwcFits } from './nchwc';
import { groupNormAffineGrad } from './ops/norm';
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
  /**
   * 2-D convolution: x [N,C,H,W], w [M,C,kh,kw], optional bias [M]. On float64 graphs (no
   * onnxruntime kernel) it is lowered to im2col + MatMul, an exact float64-capable twin; with
   * `GraphOptions.nchwcBlock` it runs in ONNX Runtime's blocked layout where the channels fit.
   */
  conv(x: Value, w: Value, b: Value | null = null, options: Conv2dOptions = {}): Value {
    const kernel = w.rank === 4 ? (w.shape.slice(2) as number[]) : undefined;
    const attrs = windowAttrs(options, kernel);
    if (this.nchwcBlock > 0 && nchwcFits(x, w, attrs, this.nchwcBlock)) return nchwcConv(this, x, w, b, attrs, this.nchwcBlock);
    if (x.dtype !== 'float64') return this.op1('Conv', b ? [x, w, b] : [x, w], attrs);
    const [y] = this.infer('Conv', b ? [x, w, b] : [x, w], attrs);
    const [m, c, kh, kw] = w.shape as number[];
    const cols = this.im2col(x, windowOf('Conv', attrs, w.shape.slice(2)));
    // im2col rows are tap-major (i, j, c): the weight [M, C, kh, kw] as [M, kh*kw*C] to match.
    const wRows = this.reshape(this.transpose(w, [0, 2, 3, 1]), [m, kh * kw * c]);
    const out = this.reshape(this.matmul(wRows, cols), y.shape);
    return b ? this.add(out, this.reshape(b, [m, 1, 1])) : out;
  }

  /**
   * im2col: the receptive fields of x [N,C,H,W] as columns [N, kh*kw*C, OH*OW], rows ordered
   * tap-major (i, j, c): a weight [M,C,kh,kw] matches as Transpose(w, [0,2,3,1]) flattened. Built
   * from Pad, strided Slices and one Concat along the channel axis, which copies whole per-sample
   * blocks (a Concat along a new size-1 axis, as the channel-major order needs, was 30x slower in
   * ONNX Runtime and dominated the cnn step).
   */
  im2col(x: Value, win: Window): Value {
    const [c, h, wd] = x.shape.slice(1) as number[];
    const [kh, kw] = win.kernel;
    const [pt, pl, pb, pr] = win.pads;
    const oh = Math.floor((h + pt + pb - kh) / win.strides[0]) + 1;
    const ow = Math.floor((wd + pl + pr - kw) / win.strides[1]) + 1;
    const xp = pt + pl + pb + pr > 0 ? this.pad(x, [0, 0, pt, pl], [0, 0, pb, pr]) : x;
    const cols: Value[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const ends = [i + win.strides[0] * (oh - 1) + 1, j + win.strides[1] * (ow - 1) + 1];
        cols.push(this.slice(xp, [2, 3], [i, j], ends, win.strides));
      }
    }
    const stacked = cols.length === 1 ? cols[0] : this.concat(cols, 1);
    return this.reshape(stacked, [x.shape[0], c * kh * kw, oh * ow]);
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
  /**
   * Group normalisation with a per-channel affine: x [N, C, ...] normalised over each
   * (sample, group of C/groups channels), then gamma [C] · x̂ + beta [C]. The normalisation is
   * one LayerNormalization over the [N, groups, C/groups · spatial] view (see `standardiseGroups`);
   * portable graphs (`GraphOptions.portable`) spell it out in ReduceMean, Sub, Mul, Sqrt and Div,
   * for exported models read by tools that predate LayerNormalization (onnx 1.12's checker). The
   * affine is a Mul and an Add.
   */
  groupNorm(x: Value, gamma: Value, beta: Value, groups: number, epsilon = 1e-5): Value {
    const eps = epsilon;
    if (!this.portable) return this.groupNormFused(x, gamma, beta, groups, eps);
    const xhat = this.groupNormPortable(x, groups, eps);
    const perChannel = [x.shape[1] as number, ...x.shape.slice(2).map(() => 1)];
    return this.add(this.mul(xhat, this.reshape(gamma, perChannel)), this.reshape(beta, perChannel));
  }

  /**
   * scale[c] · x + bias[c] over the channels of x [N, C, ...] in one node (BatchNormalization with
   * zero mean, unit variance, epsilon 0), where a Mul and an Add take two passes over x.
   */
  channelAffine(x: Value, scale: Value, bias: Value): Value {
    const c = x.shape[1] as number;
    const stats = [this.constant(0, [c], x.dtype), this.constant(1, [c], x.dtype)];
    return this.op1('ChannelAffine', [x, scale, bias, ...stats], { epsilon: attr.float(0) });
  }

  /**
   * One LayerNormalization over the [N, groups, C/groups · spatial] view (unit scale, so its
   * output is x̂; ONNX Runtime's kernel reads each group once and returns the group statistics),
   * then `channelAffine`. The backward is one fused rule (`groupNormAffineGrad`) that reuses x̂
   * and the kernel's InvStdDev (float64 graphs rebuild it: the kernel returns float32 only).
   */
  private groupNormFused(x: Value, gamma: Value, beta: Value, groups: number, eps: number): Value {
    const view = this.reshape(x, [x.shape[0], groups, -1]);
    // A scale of the full slice length: a broadcast [1] scale took ONNX Runtime's slow
    // per-element path (0.86 against 0.28 ms on [64, 16, 784]). The Expand folds at load time.
    const ones = this.expand(this.scalar(1, x.dtype), [view.shape[2] as number]);
    const [xhat, , invStd] = this.op('LayerNormalization', [view, ones], { axis: attr.int(2), epsilon: attr.float(eps) });
    const y = this.channelAffine(this.reshape(xhat, x.shape), gamma, beta);
    const parts = { x, xhat, rstd: x.dtype === 'float32' ? invStd : null, gamma, groups, eps };
    setCustomGradient(y, [x, gamma, beta], (g, dy) => groupNormAffineGrad(g, parts, dy));
    return y;
  }

  private groupNormPortable(x: Value, groups: number, eps: number): Value {
    const xr = this.reshape(x, [x.shape[0], groups, -1]);
    const centred = this.sub(xr, this.reduceMean(xr, [2], true));
    const std = this.sqrt(this.add(this.reduceMean(this.mul(centred, centred), [2], true), eps));
    return this.reshape(this.div(centred, std), x.shape);
  }

  /** 2-D average pooling; padded windows count the padding (count_include_pad = 1). */
  averagePool(x: Value, options: Pool2dOptions): Value {
    const a = windowAttrs(options, options.kernel);
    if (options.pads && options.pads.some((p) => p !== 0)) a.count_include_pad = attr.int(1);
    return this.op1('AveragePool', [x], a);
  }
}
