import { meanStd, type RunResult } from './results';

/** One strategy's figures over its seeds. */
export interface StrategySummary {
  strategy: string;
  seeds: number;
  accuracy: { mean: number; std: number };
  loadCv: { mean: number; std: number };
  cumulativeLoadCv: { mean: number; std: number };
  bytesPerClientRound: number;
  seconds: number;
}

/** Groups runs by strategy (in first-seen order) and averages their final figures over seeds. */
export function summariseStrategies(runs: readonly RunResult[]): StrategySummary[] {
  const order = [...new Set(runs.map((r) => r.strategy))];
  return order.map((strategy) => {
    const mine = runs.filter((r) => r.strategy === strategy);
    const pick = (f: (r: RunResult) => number) => meanStd(mine.map(f));
    return {
      strategy,
      seeds: mine.length,
      accuracy: pick((r) => r.final.accuracy),
      loadCv: pick((r) => r.final.loadCv),
      cumulativeLoadCv: pick((r) => r.final.cumulativeLoadCv),
      bytesPerClientRound: meanStd(mine.map((r) => r.final.bytesPerClientRound)).mean,
      seconds: meanStd(mine.map((r) => r.final.seconds ?? 0)).mean,
    };
  });
}

/** The comparison table as Markdown (it reads well in a terminal and pastes into the README). */
export function formatComparisonTable(summaries: readonly StrategySummary[]): string {
  const pm = (v: { mean: number; std: number }, digits: number) => `${v.mean.toFixed(digits)} ± ${v.std.toFixed(digits)}`;
  const rows = [
    '| strategy | seeds | accuracy (mean ± std) | load CV per round | cumulative load CV | MB per client-round | wall time per run (s) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of summaries) {
    rows.push(
      `| ${s.strategy} | ${s.seeds} | ${pm(s.accuracy, 4)} | ${pm(s.loadCv, 3)} | ${pm(s.cumulativeLoadCv, 3)} | ${(s.bytesPerClientRound / 1e6).toFixed(2)} | ${s.seconds.toFixed(1)} |`,
    );
  }
  return rows.join('\n');
}
