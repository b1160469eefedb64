/**
 * A same-size convolution (stride 1, odd kernel, zero padding (k-1)/2) followed by 2x2 / stride-2
 * max-pooling, emitted as im2col matrix products over output positions grouped by pooling phase:
 * phase (u, v) is the position of an output pixel (2r+u, 2s+v) inside its pooling window, each
 * phase gets its own product, and the pool is the running maximum of the four phase maps in
 * row-major window order: Max(Max(Max(p00, p01), p10), p11). Max's gradient goes to its first
 * operand on ties, so each window's gradient reaches its first maximum in row-major order, as
 * through ONNX MaxPool's Indices (and PyTorch's max_pool2d): the same function and gradient as
 * Conv then MaxPool, without strided copies, index scatters or interleaving in the backward pass.
 * The weight gradient is the MatMul rule's product of each phase's output gradient with the same
 * columns the forward pass used. Conv positions the pool drops (the last row or column of an
 * odd-sized map) are not computed.
 *
 * It replaces ONNX Conv + MaxPool (with an index-free pooling gradient of strided Slices, Equal
 * masks and interleaving Concats) in the cnn backbone. Measured on one thread at batch 64 on a
 * loaded machine, each change A/B in the same process: phase products per sample +20% samples/s,
 * then channel-first columns with the batch merged (one large product per phase) +12%.
 */
import type { GraphBuilder, Value } from '../onnx';
import { mergedDim } from '../onnx/shape';

/** Window phases (u, v) in row-major order: the first maximum wins ties in this order. */
const PHASES: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

/**
 * MaxPool2x2(Conv(x, w, b, pads (k-1)/2)) for x [N, C, H, W], w [M, C, kh, kw] (odd kh, kw),
 * b [M]; returns [N, M, floor(H/2), floor(W/2)].
 *
 * Layout: the columns are channel-first with the batch merged into the positions,
 * [4 phases, kh*kw*C, N*h*w], so the product is one large matrix product per phase (and its
 * weight gradient the same, instead of one small product per sample); the pooled map comes out
 * as [M, N, h, w] and is transposed once to [N, M, h, w]. The bias is added after the pool:
 * max(a + b, c + b) = max(a, c) + b exactly in floating point (rounding is monotonic), on a
 * quarter of the values.
 */
export function convMaxPool2x2(g: GraphBuilder, x: Value, w: Value, b: Value): Value {
  const [n, c, hIn, wIn] = x.shape as [string | number, number, number, number];
  const [m, , kh, kw] = w.shape as number[];
  const [h, wd] = [Math.floor(hIn / 2), Math.floor(wIn / 2)];
  const cols = phaseColumns(g, x, kh, kw, h, wd); // [4, kh*kw*C, N*h*w]
  // im2col rows are tap-major (i, j, c): the weight [M, C, kh, kw] as [M, kh*kw*C] to match.
  const wRows = g.reshape(g.transpose(w, [0, 2, 3, 1]), [m, kh * kw * c]);
  const [p00, p01, p10, p11] = g.split(g.matmul(wRows, cols), 0, [1, 1, 1, 1]); // each [1, M, N*h*w]
  const pooled = g.reshape(g.max(g.max(g.max(p00, p01), p10), p11), [m, n, h, wd]);
  return g.transpose(g.add(pooled, g.reshape(b, [m, 1, 1, 1])), [1, 0, 2, 3]);
}

/**
 * The im2col matrices of the four phases, [4, kh*kw*C, N*h*w]: for phase (u, v), row (i, j, c)
 * holds input channel c at rows 2r+u+i-ph and columns 2s+v+j-pw of every sample n, column
 * (n, r, s). Each block is a unit-stride window of one of the four phase planes of the padded,
 * channel-first input (xpad[:, :, u'::2, v'::2]), so only those four strided copies of the
 * (small) input are made, and one Concat of whole [C, N*h*w] blocks builds the matrix.
 */
function phaseColumns(g: GraphBuilder, x: Value, kh: number, kw: number, h: number, wd: number): Value {
  const [n, c, hIn, wIn] = x.shape as [string | number, number, number, number];
  const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
  const xt = c === 1 ? g.reshape(x, [1, n, hIn, wIn]) : g.transpose(x, [1, 0, 2, 3]);
  const xp = g.pad(xt, [0, 0, ph, pw], [0, 0, ph, pw]);
  const [hp, wp] = [hIn + 2 * ph, wIn + 2 * pw];
  const planes = PHASES.map(([u, v]) => g.slice(xp, [2, 3], [u, v], [hp, wp], [2, 2]));
  const windows = new Map<string, Value>();
  // Input row 2r + s for output row r, phase u and tap i (s = u + i): plane s % 2, offset s >> 1.
  const window = (s: number, t: number): Value => {
    const key = `${s},${t}`;
    let v = windows.get(key);
    if (!v) {
      const plane = planes[(s % 2) * 2 + (t % 2)];
      v = g.reshape(g.slice(plane, [2, 3], [s >> 1, t >> 1], [(s >> 1) + h, (t >> 1) + wd]), [c, mergedDim(n, h * wd)]);
      windows.set(key, v);
    }
    return v;
  };
  const blocks: Value[] = [];
  for (const [u, v] of PHASES) {
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) blocks.push(window(u + i, v + j));
  }
  return g.reshape(g.concat(blocks, 0), [4, kh * kw * c, mergedDim(n, h * wd)]);
}
