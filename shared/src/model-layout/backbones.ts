/**
 * Backbones by name, parameter layout half: what the coordinator needs to initialise, aggregate
 * and checkpoint a backbone without loading the ML package (its `backbone.*` parameter names and
 * shapes, and which model configurations suit it). The graph half (emitting the feature
 * extractor) is registered in @flexmoe/ml (`registerBackbone` registers both). A process that
 * builds or checks models of a backbone must have it registered: built-ins always are.
 */
import { ConfigError } from '../errors';
import { NamedRegistry } from '../util/registry';
import type { MoEConfig } from './config';
import type { ParamSpec } from './params';
import { resnetSpecs } from './resnet-layout';

/** A backbone's parameter layout. */
export interface BackboneLayout {
  /** The `model.backbone` value that selects it. */
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly summary: string;
  /** Parameter names (all starting `backbone.`) and shapes for a model configuration. */
  specs(cfg: MoEConfig): ParamSpec[];
  /** Throws ConfigError naming the field when `cfg` does not suit this backbone. */
  check?(cfg: MoEConfig): void;
}

/** Spatial size after the CNN's two halvings (2x2 max-pool: floor; 3x3 stride-2 pad-1 conv: ceil). */
export function cnnFeatureMap(cfg: MoEConfig): [number, number] {
  const down = (n: number): number => Math.ceil(Math.floor(n / 2) / 2);
  return [down(cfg.inputShape[1]), down(cfg.inputShape[2])];
}

const MLP: BackboneLayout = {
  name: 'mlp',
  summary: 'flatten -> dense -> ReLU',
  specs(cfg) {
    const [c, h, w] = cfg.inputShape;
    return [
      { name: 'backbone.fc.weight', shape: [c * h * w, cfg.featureDim] },
      { name: 'backbone.fc.bias', shape: [cfg.featureDim] },
    ];
  },
};

const CNN: BackboneLayout = {
  name: 'cnn',
  summary: 'two 3x3 convolutions (max-pool, then stride 2), then dense -> ReLU',
  specs(cfg) {
    const c = cfg.inputShape[0];
    const [c1, c2] = cfg.convChannels;
    const [fh, fw] = cnnFeatureMap(cfg);
    return [
      { name: 'backbone.conv1.weight', shape: [c1, c, 3, 3] },
      { name: 'backbone.conv1.bias', shape: [c1] },
      { name: 'backbone.conv2.weight', shape: [c2, c1, 3, 3] },
      { name: 'backbone.conv2.bias', shape: [c2] },
      { name: 'backbone.fc.weight', shape: [c2 * fh * fw, cfg.featureDim] },
      { name: 'backbone.fc.bias', shape: [cfg.featureDim] },
    ];
  },
  // Two stride-2 halvings must leave at least a 1x1 map.
  check(cfg) {
    const shape = cfg.inputShape;
    if (shape[1] < 4 || shape[2] < 4) throw new ConfigError(`model.inputShape must be at least 4x4 for the cnn backbone (got ${shape.join('x')})`);
  },
};

const RESNET: BackboneLayout = {
  name: 'resnet',
  summary: 'ResNet-8 with GroupNorm (three basic blocks, global average pooling, dense -> ReLU)',
  specs: resnetSpecs,
  // GroupNorm needs every width split into equal groups.
  check(cfg) {
    const { resnetWidths: widths, resnetGroups: groups } = cfg;
    if (widths.some((w) => w % groups !== 0)) throw new ConfigError(`model.resnetGroups (${groups}) must divide every resnet width (got ${widths.join(', ')})`);
  },
};

/** The registered backbone layouts (mlp, cnn, resnet built in). */
export const backboneLayouts = new NamedRegistry<BackboneLayout>('backbone').register(MLP).register(CNN).register(RESNET);

/** The layout of `cfg.backbone`; ConfigError listing the registered backbones otherwise. */
export function backboneLayout(cfg: Pick<MoEConfig, 'backbone'>): BackboneLayout {
  return backboneLayouts.get(cfg.backbone);
}
