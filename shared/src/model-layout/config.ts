/**
 * The MoE model configuration: documented defaults, validated once into a frozen object.
 */
import { ConfigError } from '../errors';
import { backboneLayout, type BackboneLayout } from './backbones';

/** Feature extractor: the name of a registered backbone (`backboneLayouts`; mlp, cnn and resnet are built in). */
export type BackboneKind = string;

/** Everything that fixes the model's parameter names and shapes, plus the two loss knobs. */
export interface MoEConfig {
  /** `mlp` (flatten -> dense -> ReLU), `cnn` (two 3x3 convs, then dense) or `resnet` (ResNet-8 with GroupNorm). */
  readonly backbone: BackboneKind;
  /** Per-sample input shape `[C, H, W]`. Default `[1, 28, 28]`. */
  readonly inputShape: readonly [number, number, number];
  /** Number of classes. Default 10. */
  readonly classes: number;
  /** Number of experts E. Default 8. */
  readonly experts: number;
  /** Backbone output (feature) width. Default 128. */
  readonly featureDim: number;
  /** Hidden width of each expert's MLP head (feature -> hidden -> classes). Default 64. */
  readonly expertHidden: number;
  /**
   * Experts each sample is routed to (top-r), capped at the number assigned. Default 1: with r = k
   * every sample reaches every assigned expert and the per-expert feedback cannot tell them apart.
   */
  readonly topR: number;
  /** Weight of the Switch-style auxiliary load-balancing loss. Default 0.05. */
  readonly auxWeight: number;
  /** Output channels of the two CNN convolutions (cnn only). Default `[16, 32]`. */
  readonly convChannels: readonly [number, number];
  /** Widths of the resnet stem/first block, second and third block (resnet only). Default `[16, 32, 64]`. */
  readonly resnetWidths: readonly [number, number, number];
  /** GroupNorm groups of the resnet (must divide every width). Default 4. */
  readonly resnetGroups: number;
}

/** The defaults `defaultModelConfig` fills in. */
export const MODEL_DEFAULTS: MoEConfig = Object.freeze({
  backbone: 'mlp',
  inputShape: Object.freeze([1, 28, 28]) as readonly [number, number, number],
  classes: 10,
  experts: 8,
  featureDim: 128,
  expertHidden: 64,
  topR: 1,
  auxWeight: 0.05,
  convChannels: Object.freeze([16, 32]) as readonly [number, number],
  resnetWidths: Object.freeze([16, 32, 64]) as readonly [number, number, number],
  resnetGroups: 4,
});

/**
 * Fills in defaults and validates. Throws `ConfigError` naming the bad field. The result is frozen.
 */
export function defaultModelConfig(partial: Partial<MoEConfig> = {}): MoEConfig {
  const cfg = { ...MODEL_DEFAULTS, ...stripUndefined(partial) };
  let layout: BackboneLayout;
  try {
    layout = backboneLayout(cfg);
  } catch (err) {
    throw new ConfigError(`model.backbone: ${(err as Error).message}`, { cause: err });
  }
  checkShape('model.inputShape', cfg.inputShape, 3);
  checkInt('model.classes', cfg.classes, 2);
  checkInt('model.experts', cfg.experts, 1);
  checkInt('model.featureDim', cfg.featureDim, 1);
  checkInt('model.expertHidden', cfg.expertHidden, 1);
  checkInt('model.topR', cfg.topR, 1);
  if (!Number.isFinite(cfg.auxWeight) || cfg.auxWeight < 0) {
    throw new ConfigError(`model.auxWeight must be a finite number >= 0 (got ${cfg.auxWeight})`);
  }
  checkShape('model.convChannels', cfg.convChannels, 2);
  checkShape('model.resnetWidths', cfg.resnetWidths, 3);
  checkInt('model.resnetGroups', cfg.resnetGroups, 1);
  layout.check?.(cfg);
  return Object.freeze({
    ...cfg,
    inputShape: Object.freeze([...cfg.inputShape]) as readonly [number, number, number],
    convChannels: Object.freeze([...cfg.convChannels]) as readonly [number, number],
    resnetWidths: Object.freeze([...cfg.resnetWidths]) as readonly [number, number, number],
  });
}

/** Routing width for a client holding `assigned` experts: top-r capped at the number assigned. */
export function effectiveTopR(cfg: MoEConfig, assigned: number): number {
  return Math.max(1, Math.min(cfg.topR, assigned));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkInt(field: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(`${field} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  }
}

function checkShape(field: string, v: unknown, length: number): void {
  if (!Array.isArray(v) || v.length !== length) {
    throw new ConfigError(`${field} must be an array of ${length} positive integers (got ${JSON.stringify(v)})`);
  }
  v.forEach((d, i) => checkInt(`${field}[${i}]`, d, 1));
}
