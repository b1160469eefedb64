/**
 * Backbone emitters: the shared feature extractor psi. `mlp`: flatten -> dense -> ReLU.
 * `cnn`: two blocks of 3x3 conv (pad 1) -> ReLU -> 2x2 max-pool, then flatten -> dense -> ReLU.
 */
import type { GraphBuilder, Value } from '../onnx';
import type { MoEConfig } from './config';
import type { ParamValues } from './forward';

/** Emits the backbone on input x [N, C, H, W]; returns features [N, featureDim]. */
export function emitBackbone(g: GraphBuilder, cfg: MoEConfig, x: Value, p: ParamValues): Value {
  if (cfg.backbone === 'mlp') {
    return g.relu(g.linear(g.flatten(x, 1), p['backbone.fc.weight'], p['backbone.fc.bias']));
  }
  const block1 = emitConvBlock(g, x, p['backbone.conv1.weight'], p['backbone.conv1.bias']);
  const block2 = emitConvBlock(g, block1, p['backbone.conv2.weight'], p['backbone.conv2.bias']);
  return g.relu(g.linear(g.flatten(block2, 1), p['backbone.fc.weight'], p['backbone.fc.bias']));
}

function emitConvBlock(g: GraphBuilder, x: Value, w: Value, b: Value): Value {
  void g; void x; void w; void b;
  throw new Error('cnn backbone: convolution helpers are not available yet');
}
