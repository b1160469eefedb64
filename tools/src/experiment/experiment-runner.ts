/**
 * An experiment: every (strategy, seed) pair as its own local fleet on the same partition, one
 * after another (fleets saturate the cores), with the results file rewritten after each run so a
 * long experiment never loses finished runs.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FleetConfig } from './fleet-config';
import { runFleet, summaryLine, type FleetIO } from './fleet-runner';
import { writeResults, writePlots } from './report';
import { summariseRun, type ResultsFile, type RunResult } from './results';
import { formatComparisonTable, summariseStrategies, type StrategySummary } from './table';
import { formatComparisons, pairedComparisons } from './comparisons';

/** The plan: one fleet configuration per (strategy, seed). */
export interface ExperimentPlan {
  /** Config of the run of `strategy` with `seed`. */
  readonly configFor: (strategy: string, seed: number) => FleetConfig;
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  readonly outDir: string;
  /** Extra copies of the results JSON. */
  readonly jsonFiles: readonly string[];
  /** Recorded in the results file. */
  readonly config: Record<string, unknown>;
  /** Finished runs to keep instead of running them again (see resume.ts). */
  readonly previous?: readonly RunResult[];
}

/** What the experiment produced. */
export interface ExperimentOutcome {
  readonly runs: RunResult[];
  readonly summaries: StrategySummary[];
  readonly table: string;
  readonly files: string[];
}

/** Runs the plan seed by seed (every strategy per seed), then tabulates and plots. */
export async function runExperiment(plan: ExperimentPlan, io: FleetIO): Promise<ExperimentOutcome> {
  const runs: RunResult[] = [];
  const resultsFiles = [path.join(plan.outDir, 'results.json'), ...plan.jsonFiles];
  const save = () => {
    const results: ResultsFile = { command: 'experiment', config: plan.config, runs, comparisons: pairedComparisons(runs) };
    writeResults(resultsFiles, results);
  };
  const total = plan.strategies.length * plan.seeds.length;
  for (const seed of plan.seeds) {
    for (const strategy of plan.strategies) {
      io.print(`\n== run ${runs.length + 1}/${total}: ${strategy}, seed ${seed}`);
      const kept = plan.previous?.find((r) => r.strategy === strategy && r.seed === seed);
      // A kept run's summary is recomputed from its rounds, so it carries every current figure.
      const done = kept && { ...kept, final: { ...summariseRun(kept.rounds, plan.configFor(strategy, seed).clients), seconds: kept.final.seconds } };
      const result = done ?? (await runFleet(plan.configFor(strategy, seed), io)).run;
      io.print(`${done ? 'kept from the previous results: ' : ''}${summaryLine(result)}`);
      runs.push(result);
      save();
    }
  }
  const summaries = summariseStrategies(runs);
  const comparisons = pairedComparisons(runs);
  const table = comparisons.length > 0 ? `${formatComparisonTable(summaries)}\n\n${formatComparisons(comparisons)}` : formatComparisonTable(summaries);
  const tableFile = path.join(plan.outDir, 'table.md');
  writeFileSync(tableFile, `${table}\n`);
  const plots = writePlots(plan.outDir, runs);
  return { runs, summaries, table, files: [...resultsFiles, tableFile, ...plots] };
}
