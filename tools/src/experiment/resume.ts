/**
 * Resuming an experiment: runs already in `<out>/results.json` from the same setup (data,
 * partition, model, training and algorithm options) are kept, so re-running an interrupted or
 * failed experiment only runs what is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { FileFormatError } from '@flexmoe/shared';
import type { ResultsFile, RunResult } from './results';

/** Options that do not change what a run computes (what to run, where to write, how to stop). */
const NOT_SETUP = new Set(['strategies', 'seeds', 'out', 'json', 'grace', 'roundDeadline', 'config', 'fresh']);

/** The options that determine a run's results, as a comparable string. */
export function setupKey(config: Record<string, unknown>): string {
  const keys = Object.keys(config)
    .filter((k) => !NOT_SETUP.has(k) && config[k] !== undefined)
    .sort();
  return JSON.stringify(keys.map((k) => [k, config[k]]));
}

/** Finished runs of a previous experiment with the same setup (empty when there is none). */
export function previousRuns(file: string, config: Record<string, unknown>): RunResult[] {
  if (!existsSync(file)) return [];
  let old: ResultsFile;
  try {
    old = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
  } catch (err) {
    throw new FileFormatError(`${file}: not a results file (${(err as Error).message}); use --fresh or another --out`, { cause: err });
  }
  if (old.command !== 'experiment' || !Array.isArray(old.runs) || !old.config) return [];
  return setupKey(old.config) === setupKey(config) ? old.runs : [];
}
