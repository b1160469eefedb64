/**
 * The `resnet` backbone: ResNet-8 in the form federated-learning papers use, with GroupNorm in
 * place of BatchNorm (BatchNorm's running statistics are per-client data statistics that do not
 * average meaningfully across non-IID clients; GroupNorm normalises each sample on its own, so
 * aggregation only ever averages weights).
 *
 * stem: 3x3 conv (w0 channels) -> GN -> ReLU; then three basic blocks with widths w0, w1, w2 and
 * strides 1, 2, 2. A block is 3x3 conv (stride s) -> GN -> ReLU -> 3x3 conv -> GN, plus the
 * shortcut (identity, or a 1x1 stride-s conv -> GN projection when the shape changes), -> ReLU.
 * Then global average pooling and dense -> ReLU to `featureDim`. Convolutions carry no bias (the
 * GN shift follows). 28x28 inputs end at 7x7, 32x32 at 8x8.
 */
import type { GraphBuilder, Value } from '../onnx';
import type { MoEConfig } from '@flexmoe/shared';
import type { ParamValues } from './forward';
import { resnetBlocks as blocks } from '@flexmoe/shared';

/** Emits the resnet backbone on x [N, C, H, W]; returns features [N, featureDim]. */
export function emitResnet(g: GraphBuilder, cfg: MoEConfig, x: Value, p: ParamValues): Value {
  const groups = cfg.resnetGroups;
  const norm = (v: Value, name: string): Value => g.groupNorm(v, p[`${name}.gamma`], p[`${name}.beta`], groups);
  const conv = (v: Value, name: string, stride: number, pad: number): Value =>
    g.conv(v, p[name], null, { strides: [stride, stride], pads: [pad, pad, pad, pad] });
  let h = g.relu(norm(conv(x, 'backbone.stem.weight', 1, 1), 'backbone.stem.norm'));
  for (const b of blocks(cfg)) {
    const y = g.relu(norm(conv(h, `${b.name}.conv1.weight`, b.stride, 1), `${b.name}.norm1`));
    const branch = norm(conv(y, `${b.name}.conv2.weight`, 1, 1), `${b.name}.norm2`);
    const shortcut = b.projected ? norm(conv(h, `${b.name}.proj.weight`, b.stride, 0), `${b.name}.projnorm`) : h;
    h = g.relu(g.add(branch, shortcut));
  }
  const pooled = g.reduceMean(h, [2, 3]);
  return g.relu(g.linear(pooled, p['backbone.fc.weight'], p['backbone.fc.bias']));
}
