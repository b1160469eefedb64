/**
 * `flexmoe experiment`: strategies x seeds as local fleets on one partition, then the comparison
 * table, the results JSON and SVG plots. Composition root (options, signals, printing).
 */
import * as path from 'node:path';
import { parseCommand } from '@flexmoe/shared';
import { runExperiment } from '../experiment/experiment-runner';
import { EXPERIMENT_COMMAND, fleetConfig, parseSeeds } from '../experiment/options';
import { previousRuns } from '../experiment/resume';
import { announce, runInterruptible } from './fleet';

/** Entry point of `flexmoe experiment`; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(EXPERIMENT_COMMAND, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const o = parsed.options;
  const seeds = parseSeeds(o.seeds);
  const outDir = path.resolve(o.out);
  const planFor = (strategy: string, seed: number) =>
    fleetConfig(o, { strategy, seed, dataSeed: o.dataSeed, outDir: path.join(outDir, 'runs', `${strategy}-seed${seed}`) });
  const print = (line: string): void => console.log(line);
  const dataShape = await announce(planFor(o.strategies[0]!, seeds[0]!), print);
  const configFor = (strategy: string, seed: number) => ({ ...planFor(strategy, seed), dataShape });
  print(
    `strategies ${o.strategies.join(', ')} x seeds ${seeds.join(', ')}: ${o.strategies.length * seeds.length} fleets, one after another; output in ${outDir}`,
  );
  return runInterruptible(print, async (signal) => {
    const { config: _file, fresh: _fresh, ...options } = o;
    const config = { ...options, seeds };
    const previous = o.fresh ? [] : previousRuns(path.join(outDir, 'results.json'), config);
    if (previous.length > 0) print(`keeping ${previous.length} finished run(s) of the same setup from ${outDir} (--fresh to rerun)`);
    const jsonFiles = o.json ? [path.resolve(o.json)] : [];
    const outcome = await runExperiment({ configFor, strategies: o.strategies, seeds, outDir, jsonFiles, config, previous }, { print, signal });
    print(`\n${outcome.table}`);
    print(`\nwritten: ${outcome.files.join(', ')}`);
    return 0;
  });
}
