/** Files an experiment leaves behind: the results JSON, the comparison table and SVG plots. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '@flexmoe/shared';
import { heatmapPanels, lineChart, type Series } from './plots';
import type { ResultsFile, RunResult } from './results';

/** Writes JSON atomically (writeFileAtomicSync), creating the directory. */
export function writeJsonFile(file: string, value: unknown): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a results file to every given path. */
export function writeResults(files: readonly string[], results: ResultsFile): void {
  for (const f of files) writeJsonFile(f, results);
}

function strategies(runs: readonly RunResult[]): string[] {
  return [...new Set(runs.map((r) => r.strategy))];
}

/** Per strategy, the mean over seeds of `pick(round)` at each round number. */
function meanSeries(runs: readonly RunResult[], pick: (r: RunResult['rounds'][number]) => number | undefined): Series[] {
  return strategies(runs).map((name) => {
    const byRound = new Map<number, number[]>();
    for (const run of runs.filter((r) => r.strategy === name)) {
      for (const r of run.rounds) {
        const v = pick(r);
        if (v !== undefined && Number.isFinite(v)) byRound.set(r.round, [...(byRound.get(r.round) ?? []), v]);
      }
    }
    const points = [...byRound.entries()].sort((a, b) => a[0] - b[0]).map(([x, vs]) => ({ x, y: vs.reduce((a, b) => a + b, 0) / vs.length }));
    return { name, points };
  });
}

/** Per strategy, the load matrix (rounds x experts) of its first run, for heatmaps. */
function loadPanels(runs: readonly RunResult[], pick: (r: RunResult['rounds'][number]) => number[] | undefined) {
  return strategies(runs).map((name) => {
    const first = runs.find((r) => r.strategy === name)!;
    return { name: `${name} (seed ${first.seed})`, rows: first.rounds.map((r) => pick(r) ?? []) };
  });
}

/** The experiment's SVG plots by file name. */
export function experimentPlots(runs: readonly RunResult[]): Record<string, string> {
  const seeds = (name: string) => runs.filter((r) => r.strategy === name).length;
  const label = (s: Series): Series => ({ ...s, name: `${s.name} (${seeds(s.name)} seed${seeds(s.name) === 1 ? '' : 's'})` });
  // Accuracies of the strategies sit close together: start each axis just below the lowest.
  const accuracyChart = (title: string, pick: (r: RunResult['rounds'][number]) => number | null | undefined) => {
    const series = meanSeries(runs, (r) => pick(r) ?? undefined).map(label);
    const lowest = Math.min(...series.flatMap((s) => s.points.map((p) => p.y)));
    const yMin = Number.isFinite(lowest) ? Math.max(0, Math.floor(lowest * 20) / 20) : 0;
    return lineChart(title, 'round', 'accuracy', series, { yMin });
  };
  const measured = (pick: (r: RunResult['rounds'][number]) => number | null | undefined) =>
    runs.some((run) => run.rounds.some((r) => typeof pick(r) === 'number'));
  const extra: Record<string, string> = {};
  if (measured((r) => r.preLocalAccuracy)) {
    extra['pre-local-accuracy.svg'] = accuracyChart(
      'Pre-local accuracy: aggregated model, own gate, before local training (mean over seeds)',
      (r) => r.preLocalAccuracy,
    );
  }
  if (measured((r) => r.globalAccuracy)) {
    extra['global-accuracy.svg'] = accuracyChart(
      'Global accuracy: aggregated model, own gate, on the class-balanced test set (mean over seeds)',
      (r) => r.globalAccuracy,
    );
  }
  return {
    'accuracy.svg': accuracyChart('Post-local accuracy: after local training, own held-out split (mean over seeds)', (r) => r.accuracy),
    ...extra,
    'load-cv.svg': lineChart(
      'Assigned expert load CV per round (mean over seeds)',
      'round',
      'load CV (std/mean)',
      meanSeries(runs, (r) => r.loadCv).map(label),
    ),
    'expert-load.svg': heatmapPanels(
      'Assigned expert load per round (darker = more, scaled per strategy)',
      loadPanels(runs, (r) => r.load),
      'panel',
    ),
    'routed-load.svg': heatmapPanels(
      'Routed expert load per round (samples the gates sent; scaled per strategy)',
      loadPanels(runs, (r) => r.routedLoad),
      'panel',
    ),
  };
}

/** Writes the plots into `dir`; returns the paths written. */
export function writePlots(dir: string, runs: readonly RunResult[]): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(experimentPlots(runs)).map(([name, svg]) => {
    const file = path.join(dir, name);
    writeFileSync(file, svg);
    return file;
  });
}
