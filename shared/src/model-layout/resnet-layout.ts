/**
 * Parameter layout of the `resnet` backbone (ml/src/model/resnet.ts emits its graph): the names
 * and shapes the coordinator initialises, aggregates and checkpoints without loading the ML
 * package. The geometry is documented there.
 */
import type { MoEConfig } from './config';
import type { ParamSpec } from './params';

/** Strides of the three blocks. */
const STRIDES = [1, 2, 2] as const;

/** One block's geometry. */
export interface BlockShape {
  readonly name: string;
  readonly inCh: number;
  readonly outCh: number;
  readonly stride: number;
  readonly projected: boolean;
}

/** The three blocks' geometry for `cfg` (names, channels, strides, projection). */
export function resnetBlocks(cfg: MoEConfig): BlockShape[] {
  const w = cfg.resnetWidths;
  return STRIDES.map((stride, i) => {
    const inCh = i === 0 ? w[0] : w[i - 1];
    return { name: `backbone.block${i + 1}`, inCh, outCh: w[i], stride, projected: stride !== 1 || inCh !== w[i] };
  });
}

const normSpecs = (name: string, ch: number): ParamSpec[] => [
  { name: `${name}.gamma`, shape: [ch] },
  { name: `${name}.beta`, shape: [ch] },
];

/** Parameter specs of the resnet backbone (names start with `backbone.`). */
export function resnetSpecs(cfg: MoEConfig): ParamSpec[] {
  const w = cfg.resnetWidths;
  const out: ParamSpec[] = [{ name: 'backbone.stem.weight', shape: [w[0], cfg.inputShape[0], 3, 3] }, ...normSpecs('backbone.stem.norm', w[0])];
  for (const b of resnetBlocks(cfg)) {
    out.push({ name: `${b.name}.conv1.weight`, shape: [b.outCh, b.inCh, 3, 3] }, ...normSpecs(`${b.name}.norm1`, b.outCh));
    out.push({ name: `${b.name}.conv2.weight`, shape: [b.outCh, b.outCh, 3, 3] }, ...normSpecs(`${b.name}.norm2`, b.outCh));
    if (b.projected) out.push({ name: `${b.name}.proj.weight`, shape: [b.outCh, b.inCh, 1, 1] }, ...normSpecs(`${b.name}.projnorm`, b.outCh));
  }
  out.push({ name: 'backbone.fc.weight', shape: [w[2], cfg.featureDim] }, { name: 'backbone.fc.bias', shape: [cfg.featureDim] });
  return out;
}
