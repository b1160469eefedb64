import { meanStd, type RunResult } from './results';

/** Mean and sample std over seeds; NaN when no run measured the figure. */
type Stat = { mean: number; std: number };

/** One strategy's figures over its seeds. */
export interface StrategySummary {
  strategy: string;
  seeds: number;
  /** Post-local accuracy (the `accuracy` of earlier results files). */
  accuracy: Stat;
  preLocalAccuracy: Stat;
  globalAccuracy: Stat;
  loadCv: Stat;
  loadCvMin: Stat;
  cumulativeLoadCv: Stat;
  lockIn: Stat;
  bytesPerClientRound: number;
  seconds: number;
}

/** Groups runs by strategy (in first-seen order) and averages their final figures over seeds. */
export function summariseStrategies(runs: readonly RunResult[]): StrategySummary[] {
  const order = [...new Set(runs.map((r) => r.strategy))];
  return order.map((strategy) => {
    const mine = runs.filter((r) => r.strategy === strategy);
    const pick = (f: (r: RunResult) => number | null | undefined) =>
      meanStd(mine.map(f).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
    return {
      strategy,
      seeds: mine.length,
      accuracy: pick((r) => r.final.accuracy),
      preLocalAccuracy: pick((r) => r.final.preLocalAccuracy),
      globalAccuracy: pick((r) => r.final.globalAccuracy),
      loadCv: pick((r) => r.final.loadCv),
      loadCvMin: pick((r) => r.final.loadCvMin),
      cumulativeLoadCv: pick((r) => r.final.cumulativeLoadCv),
      lockIn: pick((r) => r.final.lockIn),
      bytesPerClientRound: meanStd(mine.map((r) => r.final.bytesPerClientRound)).mean,
      seconds: meanStd(mine.map((r) => r.final.seconds ?? 0)).mean,
    };
  });
}

/** The comparison table as Markdown (it reads well in a terminal and pastes into the README). */
export function formatComparisonTable(summaries: readonly StrategySummary[]): string {
  const pm = (v: Stat, digits: number) => (Number.isFinite(v.mean) ? `${v.mean.toFixed(digits)} ± ${v.std.toFixed(digits)}` : 'n/a');
  const one = (v: Stat, digits: number) => (Number.isFinite(v.mean) ? v.mean.toFixed(digits) : 'n/a');
  const rows = [
    '| strategy | seeds | pre-local accuracy | post-local accuracy | global accuracy | load CV per round | CV min | cumulative load CV | lock-in | MB per client-round | wall time per run (s) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of summaries) {
    rows.push(
      `| ${s.strategy} | ${s.seeds} | ${pm(s.preLocalAccuracy, 4)} | ${pm(s.accuracy, 4)} | ${pm(s.globalAccuracy, 4)} | ${pm(s.loadCv, 3)} | ${one(s.loadCvMin, 3)} | ${pm(s.cumulativeLoadCv, 3)} | ${one(s.lockIn, 2)} | ${(s.bytesPerClientRound / 1e6).toFixed(2)} | ${s.seconds.toFixed(1)} |`,
    );
  }
  return rows.join('\n');
}
