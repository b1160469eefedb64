/**
 * 2-D convolution and pooling (NCHW). Conv dX is a Conv with the flipped kernel at stride 1, else
 * a ConvTranspose with output_padding; dW is per-tap products at stride 1, else one dilated Conv;
 * MaxPool scatters dY to its Indices.
 */
import { ShapeError } from '@flexmoe/shared';
import type { GraphBuilder } from '../builder';
import { registerOp } from '../registry';
import { broadcastShapes, shapeFail, windowOut } from '../shape';
import { type Attrs, type Dim, type Node, type Value, attr } from '../types';
import { float, intAttr, intsAttr, rankIs, req, sameDtype } from './common';

/** Window geometry of a conv/pool node. */
export interface Window {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** [top, left, bottom, right]. */
  readonly pads: readonly [number, number, number, number];
}

/** Reads kernel_shape/strides/pads, rejecting dilations and auto_pad. */
export function windowOf(op: string, attrs: Attrs, kernelFallback?: readonly Dim[]): Window {
  const k = intsAttr(attrs, 'kernel_shape') ?? kernelFallback;
  if (!k || k.length !== 2 || k.some((d) => typeof d !== 'number')) shapeFail(op, 'kernel must be 2-D and static');
  const s = intsAttr(attrs, 'strides') ?? [1, 1];
  const p = intsAttr(attrs, 'pads') ?? [0, 0, 0, 0];
  const dil = intsAttr(attrs, 'dilations');
  if (dil && dil.some((d) => d !== 1)) shapeFail(op, 'dilations other than 1 are not supported');
  if (s.length !== 2 || p.length !== 4) shapeFail(op, 'strides need 2 entries and pads 4');
  return { kernel: [k[0] as number, k[1] as number], strides: [s[0], s[1]], pads: [p[0], p[1], p[2], p[3]] };
}

function noFloat64(op: string, v: Value): void {
  if (v.dtype === 'float64') {
    throw new ShapeError(`${op}: onnxruntime has no float64 CPU kernel for ${op}; build this graph in float32`);
  }
}

function spatialOut(op: string, x: Value, w: Window): [number, number] {
  return [
    windowOut(op, x.shape[2], w.kernel[0], w.strides[0], w.pads[0] + w.pads[2]),
    windowOut(op, x.shape[3], w.kernel[1], w.strides[1], w.pads[1] + w.pads[3]),
  ];
}

registerOp('Conv', {
  infer: (inputs, attrs) => {
    const x = rankIs('Conv', float('Conv', req('Conv', inputs, 0)), 4);
    const w = rankIs('Conv', req('Conv', inputs, 1), 4);
    const b = inputs[2] ?? null;
    // float64 is valid ONNX; the builder's `conv` helper lowers it to im2col for onnxruntime.
    sameDtype('Conv', x, w, ...(b ? [b] : []));
    if (intAttr(attrs, 'group', 1) !== 1) shapeFail('Conv', 'only group = 1 is supported');
    if (w.shape[1] !== x.shape[1]) shapeFail('Conv', 'weight in-channels differ from input channels', [x, w]);
    if (b && (b.rank !== 1 || b.shape[0] !== w.shape[0])) shapeFail('Conv', 'bias must be [out-channels]', [w, b]);
    const out = spatialOut('Conv', x, windowOf('Conv', attrs, w.shape.slice(2)));
    return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[0], ...out] }];
  },
  grad: (g, node, [dy]) => {
    const [x, w, b] = node.inputs as (Value | null)[];
    return convGradients(g, dy!, x!, w!, b ?? null, node.attrs);
  },
});

/** [dX, dW, dB] of a Conv with `attrs` (dB null without a bias); also the NCHWc Conv's rule. */
export function convGradients(g: GraphBuilder, dy: Value, x: Value, w: Value, b: Value | null, attrs: Attrs): (Value | null)[] {
  const win = windowOf('Conv', attrs, w.shape.slice(2));
  return [convInputGrad(g, dy, x, w, win), convWeightGrad(g, dy, x, w, win), b ? g.reduceSum(dy, [0, 2, 3]) : null];
}

/**
 * dX of a convolution. Stride 1: a Conv of dY with the flipped, transposed kernel
 * W'[c, m, i, j] = W[m, c, kh-1-i, kw-1-j] and pads kh-1-p (ONNX Runtime's Conv beat its
 * ConvTranspose there: 4.72 -> 3.91 ms at 16 channels 28x28, 2.57 -> 2.24 ms at 32 channels 14x14,
 * even at 64 channels 7x7, batch 64, one thread). Strided: ConvTranspose(dY, W) with
 * output_padding restoring the input size.
 */
function convInputGrad(g: GraphBuilder, dy: Value, x: Value, w: Value, win: Window): Value {
  const padsFit = win.pads.every((p, i) => p < win.kernel[i % 2]);
  if (win.strides.every((s) => s === 1) && padsFit) return flippedKernelConv(g, dy, w, win);
  const [h, wd] = [x.shape[2] as number, x.shape[3] as number];
  const outputPadding = [(h + win.pads[0] + win.pads[2] - win.kernel[0]) % win.strides[0], (wd + win.pads[1] + win.pads[3] - win.kernel[1]) % win.strides[1]];
  return g.convTranspose(dy, w, { ...win, outputPadding });
}

function flippedKernelConv(g: GraphBuilder, dy: Value, w: Value, win: Window): Value {
  const [m, c, kh, kw] = w.shape as number[];
  const taps = kh * kw;
  const reversed = g.int64s(Array.from({ length: taps }, (_, t) => taps - 1 - t));
  const flipped = g.reshape(g.gather(g.reshape(w, [m, c, taps]), reversed, 2), [m, c, kh, kw]);
  const [pt, pl, pb, pr] = win.pads;
  return g.conv(dy, g.transpose(flipped, [1, 0, 2, 3]), null, { pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] });
}

/**
 * dW of a convolution. Stride 1: for each tap (i, j), the shifted input window [N, C, OH*OW]
 * times dYᵀ [N, OH*OW, M], summed over the batch, gives the tap's [C, M] block; the blocks
 * stack into [kh*kw*C, M]; a strided 1x1 kernel is its one tap taken with a strided Slice.
 * Other strided kernels: a convolution of X over dY with batch and channels swapped
 * (`stridedWeightGrad`).
 */
function convWeightGrad(g: GraphBuilder, dy: Value, x: Value, w: Value, win: Window): Value {
  // A strided 1x1 kernel has one tap: a strided Slice and one product beat the dilated Conv
  // (0.79 -> ~0.3 ms for the resnet's 16 -> 32 projection at batch 64).
  const oneTap = win.kernel[0] * win.kernel[1] === 1;
  if (win.strides.some((s) => s > 1) && !oneTap) return stridedWeightGrad(g, dy, x, w, win);
  // Measured on one thread at batch 64 (resnet shapes, 16-64 channels): 1.3-1.7x faster than
  // an im2col Concat of all taps and one batched MatMul (the Concat copied the whole im2col
  // matrix once more, and the MatMul transposed it), and faster than a Conv over transposed tensors.
  const [m, c, kh, kw] = w.shape as number[];
  const [oh, ow] = [dy.shape[2] as number, dy.shape[3] as number];
  const n = dy.shape[0];
  const dyT = g.transposeLast2(g.reshape(dy, [n, m, oh * ow]));
  const [pt, pl, pb, pr] = win.pads;
  const xp = pt + pl + pb + pr > 0 ? g.pad(x, [0, 0, pt, pl], [0, 0, pb, pr]) : x;
  const blocks: Value[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const [sh, sw] = win.strides;
      const window = g.slice(xp, [2, 3], [i, j], [i + sh * (oh - 1) + 1, j + sw * (ow - 1) + 1], sh * sw > 1 ? win.strides : undefined);
      const tap = g.reshape(window, [n, c, oh * ow]);
      blocks.push(g.reduceSum(g.matmul(tap, dyT), [0]));
    }
  }
  const rows = blocks.length === 1 ? blocks[0] : g.concat(blocks, 0); // [kh*kw*C, M], tap-major
  return g.transpose(g.reshape(rows, [kh, kw, c, m]), [3, 2, 0, 1]);
}

/**
 * dW of a strided convolution as one Conv: dW[m, c, i, j] = sum over n, r, q of
 * dY[n, m, r, q] · Xpad[n, c, s·r + i, s·q + j], which is a convolution of Xᵀ [C, N, H, W] (batch
 * and channels swapped) with the kernel dYᵀ [M, N, OH, OW] dilated by the stride, giving
 * [C, M, kh, kw]. The bottom/right padding is trimmed to what the forward windows reached. On
 * the stride-2 convolutions of the cnn and resnet backbones (one thread, batch 64) this took
 * 0.6-0.95x the time of im2col and a batched MatMul; at stride 1 it was about 1.5x slower.
 */
function stridedWeightGrad(g: GraphBuilder, dy: Value, x: Value, w: Value, win: Window): Value {
  // Rows and columns of Xpad the forward windows reached: pad up to there, or crop what they missed.
  const reach = (axis: 0 | 1): number => (w.shape[2 + axis] as number) + win.strides[axis] * ((dy.shape[2 + axis] as number) - 1) - win.pads[axis];
  const [h, wd] = [x.shape[2] as number, x.shape[3] as number];
  const [rh, rw] = [reach(0), reach(1)];
  const cropped = rh < h || rw < wd ? g.slice(x, [2, 3], [0, 0], [Math.min(rh, h), Math.min(rw, wd)]) : x;
  const pads = [win.pads[0], win.pads[1], Math.max(0, rh - h), Math.max(0, rw - wd)];
  const xt = g.transpose(cropped, [1, 0, 2, 3]);
  const dyt = g.transpose(dy, [1, 0, 2, 3]);
  const dwt = g.op1(DILATED_CONV, [xt, dyt], { pads: attr.ints(pads), dilations: attr.ints(win.strides) });
  return g.transpose(dwt, [1, 0, 2, 3]);
}

/** Conv with dilations and no bias, for the weight gradient only (no gradient rule of its own). */
const DILATED_CONV = 'DilatedConv';

registerOp(DILATED_CONV, {
  onnxType: 'Conv',
  infer: (inputs, attrs) => {
    const x = rankIs(DILATED_CONV, float(DILATED_CONV, req(DILATED_CONV, inputs, 0)), 4);
    const k = rankIs(DILATED_CONV, req(DILATED_CONV, inputs, 1), 4);
    sameDtype(DILATED_CONV, x, k);
    noFloat64(DILATED_CONV, x);
    const pads = intsAttr(attrs, 'pads') ?? [0, 0, 0, 0];
    const dil = intsAttr(attrs, 'dilations') ?? [1, 1];
    if (k.shape[1] !== x.shape[1]) shapeFail(DILATED_CONV, 'kernel in-channels differ from input channels', [x, k]);
    const size = (i: 0 | 1): number => {
      const [d, kd] = [x.shape[2 + i], k.shape[2 + i]];
      if (typeof d !== 'number' || typeof kd !== 'number') return shapeFail(DILATED_CONV, 'spatial dims must be static', [x, k]);
      return windowOut(DILATED_CONV, d, dil[i] * (kd - 1) + 1, 1, pads[i] + pads[i + 2]);
    };
    return [{ dtype: x.dtype, shape: [x.shape[0], k.shape[0], size(0), size(1)] }];
  },
});

registerOp('ConvTranspose', {
  infer: (inputs, attrs) => {
    const x = rankIs('ConvTranspose', float('ConvTranspose', req('ConvTranspose', inputs, 0)), 4);
    const w = rankIs('ConvTranspose', req('ConvTranspose', inputs, 1), 4);
    sameDtype('ConvTranspose', x, w);
    noFloat64('ConvTranspose', x);
    if (w.shape[0] !== x.shape[1]) shapeFail('ConvTranspose', 'weight dim 0 must equal input channels', [x, w]);
    const win = windowOf('ConvTranspose', attrs, w.shape.slice(2));
    const op = intsAttr(attrs, 'output_padding') ?? [0, 0];
    const size = (i: 0 | 1): number => {
      const d = x.shape[2 + i];
      if (typeof d !== 'number') return shapeFail('ConvTranspose', 'spatial dims must be static', [x]);
      return win.strides[i] * (d - 1) + op[i] + win.kernel[i] - win.pads[i] - win.pads[i + 2];
    };
    const channels = (w.shape[1] as number) * intAttr(attrs, 'group', 1);
    return [{ dtype: x.dtype, shape: [x.shape[0], channels, size(0), size(1)] }];
  },
});

function poolInfer(op: string) {
  return (inputs: readonly (Value | null)[], attrs: Attrs) => {
    const x = rankIs(op, float(op, req(op, inputs, 0)), 4);
    if (op === 'AveragePool') noFloat64(op, x);
    const shape = [x.shape[0], x.shape[1], ...spatialOut(op, x, windowOf(op, attrs))];
    return op === 'MaxPool'
      ? [
          { dtype: x.dtype, shape },
          { dtype: 'int64' as const, shape },
        ]
      : [{ dtype: x.dtype, shape }];
  };
}

registerOp('MaxPool', {
  infer: poolInfer('MaxPool'),
  trimOutputs: true,
  grad: (g, node: Node, [dy]) => {
    const x = node.inputs[0]!;
    const per = (x.shape.slice(1) as number[]).reduce((p, q) => p * q, 1);
    const outPer = (dy!.shape.slice(1) as number[]).reduce((p, q) => p * q, 1);
    // Indices are flat over the whole tensor; Mod makes them per-sample for a [N, C*H*W] view.
    const idx = g.reshape(g.op1('Mod', [node.outputs[1], g.scalar(per, 'int64')]), [x.shape[0], outPer]);
    const zeros = g.zerosLike(g.reshape(x, [x.shape[0], per]));
    const scattered = g.scatterElements(zeros, idx, g.reshape(dy!, [x.shape[0], outPer]), 1, 'add');
    return [g.reshape(scattered, x.shape)];
  },
});

registerOp('AveragePool', {
  infer: poolInfer('AveragePool'),
  grad: (g, node, [dy]) => {
    const x = node.inputs[0]!;
    const win = windowOf('AveragePool', node.attrs);
    const padded = win.pads.some((p) => p !== 0);
    if (padded && intAttr(node.attrs, 'count_include_pad', 0) !== 1) {
      throw new ShapeError('AveragePool: no gradient rule for padding without count_include_pad');
    }
    const c = x.shape[1] as number;
    const [kh, kw] = win.kernel;
    const ones = g.constant(1 / (kh * kw), [c, 1, kh, kw], x.dtype);
    const outputPadding = [0, 1].map((i) => ((x.shape[2 + i] as number) + win.pads[i] + win.pads[i + 2] - win.kernel[i]) % win.strides[i]);
    return [g.convTranspose(dy!, ones, { ...win, outputPadding, group: c })];
  },
});

registerOp('Mod', {
  infer: (inputs) => {
    const a = req('Mod', inputs, 0);
    const b = req('Mod', inputs, 1);
    sameDtype('Mod', a, b);
    if (a.isFloat) shapeFail('Mod', 'only integer Mod is supported', [a]);
    return [{ dtype: a.dtype, shape: broadcastShapes('Mod', a.shape, b.shape) }];
  },
  grad: 'none',
});
