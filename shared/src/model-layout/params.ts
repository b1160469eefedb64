/**
 * Global parameter names and shapes of the MoE model, seeded initialisation, and selectors.
 * The protocol and the coordinator key on these names: `backbone.*`, `gate.*`, `expert.<e>.*`.
 * Dense weights are stored `[in, out]` (so a layer is `x @ W + b`); conv weights `[out, in, kh, kw]`.
 */
import { SeededRandom } from '../util/random';
import { InvalidArgumentError } from '../errors';
import { MoEConfig } from './config';
import { backboneLayout } from './backbones';

export { cnnFeatureMap } from './backbones';

/** Name and shape of one parameter tensor (always float32 outside gradient tests). */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Named float32 parameter tensors. */
export type ParamMap = Record<string, Float32Array>;

/** Backbone parameter specs (names start with `backbone.`), from the registered backbone's layout. */
export function backboneSpecs(cfg: MoEConfig): ParamSpec[] {
  return backboneLayout(cfg).specs(cfg);
}

/** Gate parameter specs: a linear map from features to all E expert scores. */
export function gateSpecs(cfg: MoEConfig): ParamSpec[] {
  return [
    { name: 'gate.weight', shape: [cfg.featureDim, cfg.experts] },
    { name: 'gate.bias', shape: [cfg.experts] },
  ];
}

/** Parameter specs of expert `e` (feature -> hidden ReLU -> classes). */
export function expertSpecs(cfg: MoEConfig, e: number): ParamSpec[] {
  checkExpert(cfg, e);
  const p = `expert.${e}`;
  return [
    { name: `${p}.fc1.weight`, shape: [cfg.featureDim, cfg.expertHidden] },
    { name: `${p}.fc1.bias`, shape: [cfg.expertHidden] },
    { name: `${p}.fc2.weight`, shape: [cfg.expertHidden, cfg.classes] },
    { name: `${p}.fc2.bias`, shape: [cfg.classes] },
  ];
}

/** Every parameter of the full model (backbone, gate, experts 0..E-1), in a stable order. */
export function parameterSpecs(cfg: MoEConfig): ParamSpec[] {
  const out = [...backboneSpecs(cfg), ...gateSpecs(cfg)];
  for (let e = 0; e < cfg.experts; e++) out.push(...expertSpecs(cfg, e));
  return out;
}

/** Specs of what a client holding `assigned` experts trains: backbone, gate, its experts. */
export function assignedSpecs(cfg: MoEConfig, assigned: readonly number[]): ParamSpec[] {
  checkAssigned(cfg, assigned);
  return [...backboneSpecs(cfg), ...gateSpecs(cfg), ...assigned.flatMap((e) => expertSpecs(cfg, e))];
}

/** Number of values of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Seeded initial parameters: He-normal for layers followed by ReLU (backbone, expert hidden),
 * Xavier-normal for the linear gate and expert output layers, zero biases, GroupNorm scale 1 and
 * shift 0. Same seed, same values.
 */
export function initParameters(cfg: MoEConfig, seed: number): ParamMap {
  const rng = new SeededRandom(seed, 'init');
  const out: ParamMap = {};
  for (const spec of parameterSpecs(cfg)) out[spec.name] = initTensor(spec, rng);
  return out;
}

function initTensor(spec: ParamSpec, rng: SeededRandom): Float32Array {
  const t = new Float32Array(sizeOf(spec.shape));
  if (spec.name.endsWith('.bias') || spec.name.endsWith('.beta')) return t;
  if (spec.name.endsWith('.gamma')) return t.fill(1);
  const conv = spec.shape.length === 4;
  const fanIn = conv ? sizeOf(spec.shape.slice(1)) : spec.shape[0];
  const fanOut = conv ? spec.shape[0] * spec.shape[2] * spec.shape[3] : spec.shape[1];
  const linear = spec.name.startsWith('gate.') || spec.name.endsWith('.fc2.weight');
  const std = linear ? Math.sqrt(2 / (fanIn + fanOut)) : Math.sqrt(2 / fanIn);
  for (let i = 0; i < t.length; i++) t[i] = std * rng.normal();
  return t;
}

/** The `backbone.*` tensors of `params` (shared, not copied). */
export function selectBackbone(params: Readonly<ParamMap>): ParamMap {
  return selectPrefix(params, 'backbone.');
}

/** The `gate.*` tensors of `params` (shared, not copied). */
export function selectGate(params: Readonly<ParamMap>): ParamMap {
  return selectPrefix(params, 'gate.');
}

/** The `expert.<e>.*` tensors of `params` (shared, not copied). */
export function selectExpert(params: Readonly<ParamMap>, e: number): ParamMap {
  return selectPrefix(params, `expert.${e}.`);
}

/** Backbone, gate and the given experts' tensors (shared, not copied). */
export function selectAssigned(params: Readonly<ParamMap>, assigned: readonly number[]): ParamMap {
  const out = { ...selectBackbone(params), ...selectGate(params) };
  for (const e of assigned) Object.assign(out, selectExpert(params, e));
  return out;
}

function selectPrefix(params: Readonly<ParamMap>, prefix: string): ParamMap {
  const out: ParamMap = {};
  for (const [name, t] of Object.entries(params)) if (name.startsWith(prefix)) out[name] = t;
  return out;
}

/** Throws `InvalidArgumentError` unless `assigned` is a non-empty list of distinct experts of `cfg`. */
export function checkAssigned(cfg: MoEConfig, assigned: readonly number[]): void {
  if (!Array.isArray(assigned) || assigned.length === 0) {
    throw new InvalidArgumentError('assigned must list at least one expert');
  }
  assigned.forEach((e: number) => checkExpert(cfg, e));
  if (new Set(assigned).size !== assigned.length) {
    throw new InvalidArgumentError(`assigned experts must be distinct (got ${assigned.join(',')})`);
  }
}

function checkExpert(cfg: MoEConfig, e: number): void {
  if (!Number.isInteger(e) || e < 0 || e >= cfg.experts) {
    throw new InvalidArgumentError(`expert index ${e} out of range 0..${cfg.experts - 1}`);
  }
}
