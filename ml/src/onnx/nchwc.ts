/**
 * Convolutions in ONNX Runtime's blocked channel layout (NCHWc). ONNX Runtime's own NCHWc
 * transformer rewrites only Convs whose weights are constant initializers; in the training graphs
 * they are graph inputs, so the graph emits the blocked form itself: ReorderInput, a
 * `com.microsoft.nchwc` Conv with the weights reordered by a Reshape and a Transpose, and
 * ReorderOutput. Measured at batch 64 on one thread (AVX-512, block 16), layout conversions
 * included: 1.45x faster than Conv at 16 channels 28x28, 1.77x at 32 channels 14x14, 1.95x at 64
 * channels 7x7. The block size depends on the CPU and a wrong one gives wrong numbers silently, so
 * the graph takes it from a probe run on the same machine (training/nchwc-probe.ts).
 */
import { setCustomGradient } from './autodiff';
import { convGradients } from './ops/conv';
import type { TensorBuilder } from './tensor';
import { type Attrs, type Value, attr } from './types';

/**
 * Whether a Conv of x [N, C, H, W] with w [M, C, kh, kw] runs blocked with `block`: C and M
 * multiples of the block (nothing padded), no groups or dilations, static channel counts. A narrow
 * input such as a one-channel image could be read in NCHW directly, but that was slower: with the
 * stems blocked too, the step took 1.02x (resnet) and 1.09x (cnn) as long (batch 64, one thread).
 */
export function nchwcFits(x: Value, w: Value, attrs: Attrs, block: number): boolean {
  if (block <= 1 || x.dtype !== 'float32' || w.rank !== 4 || x.rank !== 4) return false;
  if ('group' in attrs || 'dilations' in attrs || 'auto_pad' in attrs) return false;
  const [m, c] = w.shape;
  if (typeof m !== 'number' || typeof c !== 'number' || w.shape.slice(2).some((d) => typeof d !== 'number')) return false;
  return m % block === 0 && c % block === 0;
}

/**
 * The filter [M, C, kh, kw] in the blocked order ONNX Runtime's NCHWc Conv reads (its shape stays
 * [M, C, kh, kw]): OIHWBiBo, i.e. [M/b, C/b, kh, kw, C-in-block, M-in-block].
 */
function reorderFilter(g: TensorBuilder, w: Value, block: number): Value {
  const [m, c, kh, kw] = w.shape as number[];
  const split = g.reshape(w, [m / block, block, c / block, block, kh, kw]);
  return g.reshape(g.transpose(split, [0, 2, 4, 5, 3, 1]), [m, c, kh, kw]);
}

/**
 * y = Conv(x, w, b) computed in the NCHWc layout (call only when `nchwcFits`). x and y are plain
 * NCHW tensors; the gradient is the plain Conv's rule (whose input-gradient Conv is blocked in
 * turn where it fits).
 */
export function nchwcConv(g: TensorBuilder, x: Value, w: Value, b: Value | null, attrs: Attrs, block: number): Value {
  const xb = g.op1('NchwcReorderInput', [x]);
  const yb = g.op1('NchwcConv', b ? [xb, reorderFilter(g, w, block), b] : [xb, reorderFilter(g, w, block)], attrs);
  const y = g.op1('NchwcReorderOutput', [yb], { channels: attr.int(w.shape[0] as number) });
  setCustomGradient(y, b ? [x, w, b] : [x, w], (gb, dy) => convGradients(gb, dy, x, w, b, attrs));
  return y;
}
