/**
 * Checks on everything a caller hands the trainer, before any of it reaches ONNX Runtime:
 * a bad tensor or dataset gets an error naming it, and nothing is trained.
 */
import type { Dataset } from '../data/types';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '@flexmoe/shared';
import { MoEConfig } from '@flexmoe/shared';
import { assignedSpecs, checkAssigned, sizeOf } from '@flexmoe/shared';

/**
 * Throws `ShapeError` naming the tensor when `params` lacks a tensor of backbone, gate or an
 * assigned expert, holds one that is not needed, has a wrong element count or is not a
 * Float32Array; `NonFiniteError` when a tensor holds NaN or infinity.
 */
export function validateParams(cfg: MoEConfig, assigned: readonly number[], params: unknown): void {
  checkAssigned(cfg, assigned);
  if (params === null || typeof params !== 'object') throw new ShapeError('params must be an object of named Float32Arrays');
  const specs = assignedSpecs(cfg, assigned);
  const wanted = new Set(specs.map((s) => s.name));
  const given = params as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!wanted.has(name)) throw new ShapeError(`unexpected parameter '${name}' (not in backbone, gate or assigned experts ${assigned.join(',')})`);
  }
  for (const spec of specs) {
    const t = given[spec.name];
    if (t === undefined) throw new ShapeError(`missing parameter '${spec.name}'`);
    if (!(t instanceof Float32Array)) {
      throw new ShapeError(`parameter '${spec.name}' must be a Float32Array (got ${describeType(t)})`);
    }
    const want = sizeOf(spec.shape);
    if (t.length !== want) {
      throw new ShapeError(`parameter '${spec.name}' has ${t.length} values, expected ${want} (shape [${spec.shape.join(',')}])`);
    }
    const bad = firstNonFinite(t);
    if (bad >= 0) throw new NonFiniteError(`parameter '${spec.name}' holds a non-finite value at index ${bad}`);
  }
}

/** Throws `ShapeError` unless the dataset matches the model's input shape and classes. */
export function validateDataset(cfg: MoEConfig, data: Dataset, what = 'data'): void {
  if (data === null || typeof data !== 'object') throw new ShapeError(`${what} must be a Dataset`);
  if (!(data.x instanceof Float32Array || data.x instanceof Uint8Array)) {
    throw new ShapeError(`${what}.x must be a Float32Array or a Uint8Array of pixel bytes (got ${describeType(data.x)})`);
  }
  if (!(data.y instanceof Uint8Array)) throw new ShapeError(`${what}.y must be a Uint8Array (got ${describeType(data.y)})`);
  if (!Array.isArray(data.shape) || data.shape.some((d, i) => d !== cfg.inputShape[i]) || data.shape.length !== 3) {
    throw new ShapeError(`${what}.shape [${String(data.shape)}] does not match the model input [${cfg.inputShape.join(',')}]`);
  }
  if (!Number.isInteger(data.n) || data.n < 1) throw new ShapeError(`${what}.n must be a positive integer (got ${data.n})`);
  const per = sizeOf(cfg.inputShape);
  if (data.x.length !== data.n * per) {
    throw new ShapeError(`${what}.x has ${data.x.length} values, expected n * C*H*W = ${data.n} * ${per}`);
  }
  if (data.y.length !== data.n) throw new ShapeError(`${what}.y has ${data.y.length} labels, expected ${data.n}`);
  for (let i = 0; i < data.n; i++) {
    if (data.y[i] >= cfg.classes) throw new ShapeError(`${what}.y[${i}] = ${data.y[i]} is not below classes = ${cfg.classes}`);
  }
}

/** Throws `InvalidArgumentError` naming the option unless it is a positive integer. */
export function checkPositiveInt(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidArgumentError(`${field} must be a positive integer (got ${JSON.stringify(v)})`);
  }
}

/** Throws `InvalidArgumentError` unless the learning rate is finite and positive. */
export function checkLearningRate(lr: unknown): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new InvalidArgumentError(`lr must be a finite number > 0 (got ${JSON.stringify(lr)})`);
  }
}

/** Index of the first NaN or infinity, or -1. */
export function firstNonFinite(t: ArrayLike<number>): number {
  for (let i = 0; i < t.length; i++) if (!Number.isFinite(t[i])) return i;
  return -1;
}

function describeType(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
