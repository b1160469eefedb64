/**
 * Matrix-product FLOPs of one training step per sample for a product model (2 per multiply-add),
 * counted as the mlp suite counts them: forward, weight gradients, and input gradients except into
 * the input layer. Convolutions count their direct form (Cout * Cin * kh * kw per output position);
 * pooling, normalisation and elementwise work are left out.
 */
import { cnnFeatureMap, type MoEConfig } from '@flexmoe/ml/model';

interface Layer {
  /** Multiply-adds of the forward pass per sample. */
  macs: number;
  /** Whether the layer's input gradient is needed (false for the first layer). */
  inputGrad: boolean;
}

const convMacs = (cout: number, cin: number, k: number, h: number, w: number): number => cout * cin * k * k * h * w;
const down = (n: number): number => Math.ceil(n / 2);

function backboneLayers(m: MoEConfig): Layer[] {
  const [c, h, w] = m.inputShape;
  if (m.backbone === 'mlp') return [{ macs: c * h * w * m.featureDim, inputGrad: false }];
  if (m.backbone === 'cnn') {
    const [c1, c2] = m.convChannels;
    const [fh, fw] = cnnFeatureMap(m);
    return [
      { macs: convMacs(c1, c, 3, h, w), inputGrad: false },
      { macs: convMacs(c2, c1, 3, fh, fw), inputGrad: true },
      { macs: c2 * fh * fw * m.featureDim, inputGrad: true },
    ];
  }
  const widths = m.resnetWidths;
  const layers: Layer[] = [{ macs: convMacs(widths[0], c, 3, h, w), inputGrad: false }];
  let [sh, sw, ch] = [h, w, widths[0]];
  [1, 2, 2].forEach((stride, i) => {
    const [oh, ow] = stride === 2 ? [down(sh), down(sw)] : [sh, sw];
    layers.push({ macs: convMacs(widths[i], ch, 3, oh, ow), inputGrad: true }, { macs: convMacs(widths[i], widths[i], 3, oh, ow), inputGrad: true });
    if (stride !== 1 || ch !== widths[i]) layers.push({ macs: convMacs(widths[i], ch, 1, oh, ow), inputGrad: true });
    [sh, sw, ch] = [oh, ow, widths[i]];
  });
  layers.push({ macs: ch * m.featureDim, inputGrad: true });
  return layers;
}

/** FLOPs of one training step per sample of `m` with k expert slots. */
export function modelStepFlops(m: MoEConfig, k: number): number {
  const head: Layer[] = [
    { macs: m.featureDim * m.experts, inputGrad: true },
    { macs: k * (m.featureDim * m.expertHidden + m.expertHidden * m.classes), inputGrad: true },
  ];
  return [...backboneLayers(m), ...head].reduce((s, l) => s + 2 * l.macs * (l.inputGrad ? 3 : 2), 0);
}
