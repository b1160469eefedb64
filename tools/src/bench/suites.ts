/**
 * The benchmark suites and how they are found. Each suite lives in its own module, loaded on demand
 * so that a suite whose module is absent (not built yet) is skipped without breaking the others.
 */
import type { Logger } from '@flexmoe/shared';
import type { BenchRow } from './rows';
import { BenchBackendError } from './bench-error';

/** Every suite name, in the order `all` runs them. */
export const SUITE_NAMES = ['train', 'solver', 'system', 'scale'] as const;

/** A suite name. */
export type SuiteName = (typeof SUITE_NAMES)[number];

/** Options every suite takes. */
export interface SuiteOptions {
  /** Fewer iterations: a smoke test, figures indicative only. */
  quick?: boolean;
  /** Progress logger (suites that do not log ignore it). */
  logger?: Logger;
}

/** A suite's entry point. */
export type SuiteRunner = (opts: SuiteOptions) => Promise<BenchRow[]>;

/** Module (relative to this file) and exported function of each suite. */
const SUITE_MODULES: Record<SuiteName, { module: string; fn: string }> = {
  train: { module: './train/suite', fn: 'runTrainSuite' },
  solver: { module: './solver', fn: 'runSolverSuite' },
  system: { module: './system', fn: 'runSystemSuite' },
  scale: { module: './scale', fn: 'runScaleSuite' },
};

/** A loaded suite, or the reason it is skipped. */
export type LoadedSuite = { name: SuiteName; run: SuiteRunner } | { name: SuiteName; skipped: string };

/**
 * Loads a suite's module. A missing module (or one lacking its entry point) gives `skipped`;
 * any other load error (a bug in the module) is thrown.
 */
export function loadSuite(name: SuiteName, requireFn: (id: string) => unknown = require): LoadedSuite {
  const { module, fn } = SUITE_MODULES[name];
  let mod: Record<string, unknown>;
  try {
    mod = requireFn(module) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (isMissing(e, module)) {
      return { name, skipped: `suite '${name}' is not available in this build (${module} not found)` };
    }
    throw new BenchBackendError(`suite '${name}' failed to load: ${e?.message ?? String(err)}`, { cause: err });
  }
  const run = mod[fn];
  if (typeof run !== 'function') return { name, skipped: `suite '${name}': ${module} does not export ${fn}()` };
  return { name, run: run as SuiteRunner };
}

/** True when `err` says the suite module itself is missing (not one of its own imports). */
function isMissing(err: NodeJS.ErrnoException | undefined, module: string): boolean {
  if (!err || err.code !== 'MODULE_NOT_FOUND') return false;
  // Only the first line names the missing module; the require stack below names the importer.
  const missing = /Cannot find module '([^']+)'/.exec(err.message.split('\n')[0])?.[1] ?? '';
  return missing.replace(/\.js$/, '').endsWith(module.slice(2));
}
