/**
 * Backbone emitters: the shared feature extractor psi. `mlp`: flatten -> dense -> ReLU.
 * `cnn`: two blocks of 3x3 conv (pad 1) -> ReLU -> 2x2 max-pool, then flatten -> dense -> ReLU.
 * ONNX Runtime has no float64 Conv kernel, so float64 graphs (gradient checks) compute the same
 * convolution as im2col + MatMul: a float64-capable twin of the float32 graph.
 */
import type { GraphBuilder, Value } from '../onnx';
import type { MoEConfig } from './config';
import type { ParamValues } from './forward';
import { maxPool2x2 } from './maxpool';

/** Emits the backbone on input x [N, C, H, W]; returns features [N, featureDim]. */
export function emitBackbone(g: GraphBuilder, cfg: MoEConfig, x: Value, p: ParamValues): Value {
  if (cfg.backbone === 'mlp') {
    return g.relu(g.linear(g.flatten(x, 1), p['backbone.fc.weight'], p['backbone.fc.bias']));
  }
  const block1 = emitConvBlock(g, x, p['backbone.conv1.weight'], p['backbone.conv1.bias']);
  const block2 = emitConvBlock(g, block1, p['backbone.conv2.weight'], p['backbone.conv2.bias']);
  return g.relu(g.linear(g.flatten(block2, 1), p['backbone.fc.weight'], p['backbone.fc.bias']));
}

/** 3x3 conv (pad 1) -> ReLU -> 2x2 max-pool (stride 2), emitted as pool-then-ReLU (equal, 4x less ReLU work). */
function emitConvBlock(g: GraphBuilder, x: Value, w: Value, b: Value): Value {
  const conv = g.dtype === 'float32' ? g.conv(x, w, b, { pads: [1, 1, 1, 1] }) : emitConvIm2col(g, x, w, b);
  return g.relu(maxPool2x2(g, conv));
}

/** The same 3x3 / pad 1 / stride 1 convolution from float64-capable ops (Pad, Slice, Concat, MatMul). */
function emitConvIm2col(g: GraphBuilder, x: Value, w: Value, b: Value): Value {
  const [c, h, wd] = x.shape.slice(1) as number[];
  const m = w.shape[0] as number;
  const padded = g.pad(x, [0, 0, 1, 1], [0, 0, 1, 1]);
  const taps: Value[] = [];
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      taps.push(g.unsqueeze(g.slice(padded, [2, 3], [ky, kx], [ky + h, kx + wd]), [2]));
    }
  }
  // [N, C, 9, H, W] -> [N, C*9, H*W]: rows ordered (c, ky, kx) like the weight [M, C, 3, 3].
  const cols = g.reshape(g.concat(taps, 2), [x.shape[0], c * 9, h * wd]);
  const out = g.matmul(g.reshape(w, [m, c * 9]), cols);
  return g.add(g.reshape(out, [x.shape[0], m, h, wd]), g.reshape(b, [m, 1, 1]));
}
