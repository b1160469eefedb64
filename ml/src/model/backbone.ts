/**
 * Backbone emitters: the shared feature extractor psi. `mlp`: flatten -> dense -> ReLU.
 * `cnn`: 3x3 conv (pad 1) -> 2x2 max-pool -> ReLU, then 3x3 conv with stride 2 (pad 1) -> ReLU,
 * then flatten -> dense -> ReLU. `resnet`: see resnet.ts. backbones.ts registers them by name.
 * The cnn's second convolution strides instead of being followed by a second max-pool: it
 * computes a quarter of the positions and has no pooling gradient (on one thread at batch 64 the
 * training step went from about 10 to 8 ms; three epochs of `flexmoe train --backbone cnn` on
 * Fashion-MNIST went from 0.8995 to 0.8935 test accuracy).
 * The first convolution and its pool are one phase-ordered im2col MatMul (conv-pool.ts).
 * ONNX Runtime has no float64 Conv kernel; the builder's `conv` lowers float64 graphs (gradient
 * checks) to im2col + MatMul, a float64-capable twin of the float32 graph.
 */
import type { GraphBuilder, Value } from '../onnx';
import type { MoEConfig } from '@flexmoe/shared';
import type { ParamValues } from './forward';
import { convMaxPool2x2 } from './conv-pool';
import { emitResnet } from './resnet';

/** The dense head both backbones end in: flatten -> dense -> ReLU. */
function fc(g: GraphBuilder, h: Value, p: ParamValues): Value {
  return g.relu(g.linear(g.flatten(h, 1), p['backbone.fc.weight'], p['backbone.fc.bias']));
}

/** The `mlp` backbone on input x [N, C, H, W]; returns features [N, featureDim]. */
export function emitMlp(g: GraphBuilder, _cfg: MoEConfig, x: Value, p: ParamValues): Value {
  return fc(g, x, p);
}

/** The `cnn` backbone on input x [N, C, H, W]; returns features [N, featureDim]. */
export function emitCnn(g: GraphBuilder, _cfg: MoEConfig, x: Value, p: ParamValues): Value {
  const pad = { pads: [1, 1, 1, 1] };
  // Pool then ReLU: equal to ReLU then pool, with 4x less ReLU work.
  const block1 = g.relu(convMaxPool2x2(g, x, p['backbone.conv1.weight'], p['backbone.conv1.bias']));
  const block2 = g.relu(g.conv(block1, p['backbone.conv2.weight'], p['backbone.conv2.bias'], { ...pad, strides: [2, 2] }));
  return fc(g, block2, p);
}

/** The resnet emitter (resnet.ts), listed with the other two: backbones.ts registers all three. */
export { emitResnet };
