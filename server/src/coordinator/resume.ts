/**
 * Resuming a run: the initial global parameters of a fresh run, and the checks a checkpoint must
 * pass before the coordinator resumes from it (same model, seed and strategy; every tensor
 * present, of the right size and finite).
 */
import type { MoEConfig } from '@flexmoe/shared';
import { initParameters, type ParamMap } from '@flexmoe/shared';
import { CheckpointError } from '../errors';
import type { Checkpoint } from '../state/checkpoint';
import type { CoordinatorOptions } from './coordinator';

/** Initial global parameters: backbone and experts of `initParameters` (the gate stays on clients). */
export function globalParameters(model: MoEConfig, seed: number): ParamMap {
  const all = initParameters(model, seed);
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('gate.')));
}

/** Throws CheckpointError unless the checkpoint belongs to this run and holds sane weights. */
export function checkCompatible(cp: Checkpoint, options: CoordinatorOptions, file: string): void {
  const s = cp.state;
  if (JSON.stringify(s.model) !== JSON.stringify(options.model)) {
    throw new CheckpointError(`checkpoint ${file} was written for model ${JSON.stringify(s.model)}, not ${JSON.stringify(options.model)}`);
  }
  const expected = globalParameters(options.model, 0);
  for (const [name, t] of Object.entries(expected)) {
    const got = cp.params[name];
    if (got?.length !== t.length) throw new CheckpointError(`checkpoint ${file}: tensor ${name} missing or of the wrong size`);
    // A checksum proves the bytes are what was written, not that they are sane.
    const bad = got.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new CheckpointError(
        `checkpoint ${file}: tensor ${name} holds a non-finite value at index ${bad}; move it aside to resume from an earlier checkpoint`,
      );
  }
  if (s.seed !== options.round.seed || s.strategy !== options.strategyName) {
    throw new CheckpointError(`checkpoint ${file} belongs to a run with seed ${s.seed} and strategy ${s.strategy}; use another --data-dir`);
  }
}
