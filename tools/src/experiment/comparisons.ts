/**
 * Paired per-seed comparisons: for each accuracy, the difference of a reference strategy
 * (flexmoe) minus every other strategy on the same seed, with the mean, a 95% Student-t
 * interval of the mean difference, and wins / ties / losses out of the paired seeds. Pairing
 * removes what a seed does to every strategy alike (initial weights, sampling), so a reviewer
 * sees whether a lead survives the seed spread.
 */
import type { RunResult } from './results';

/** The three accuracies compared, as named in each run's `final`. */
export const ACCURACY_KINDS = ['preLocalAccuracy', 'postLocalAccuracy', 'globalAccuracy'] as const;
export type AccuracyKind = (typeof ACCURACY_KINDS)[number];

/** One metric, reference strategy against one other, over their common seeds. */
export interface PairedComparison {
  readonly metric: AccuracyKind;
  /** `final`: the last round's figure; `last5`: its mean over the last five rounds. */
  readonly window: 'final' | 'last5';
  readonly strategy: string;
  readonly baseline: string;
  readonly seeds: number[];
  /** Mean over seeds of (strategy - baseline). */
  readonly meanDiff: number;
  /** 95% interval of the mean difference (Student t, n - 1 degrees of freedom); null for n < 2. */
  readonly ci95: [number, number] | null;
  /** Seeds where the strategy is ahead / level / behind. */
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
}

/** Two-sided 95% Student-t quantiles for 1..30 degrees of freedom (beyond: the normal 1.96). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}. */
export function tQuantile95(df: number): number {
  return df >= 1 && df <= T95.length ? T95[df - 1] : 1.96;
}

/** Mean and 95% t interval of paired differences. */
export function meanInterval(diffs: readonly number[]): { mean: number; ci95: [number, number] | null } {
  const n = diffs.length;
  const mean = diffs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  if (n < 2) return { mean, ci95: null };
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1));
  const half = tQuantile95(n - 1) * (sd / Math.sqrt(n));
  return { mean, ci95: [mean - half, mean + half] };
}

function metricOf(run: RunResult, metric: AccuracyKind, window: 'final' | 'last5'): number | null {
  const v =
    window === 'last5' ? run.final.last5?.[metric] : metric === 'postLocalAccuracy' ? (run.final.postLocalAccuracy ?? run.final.accuracy) : run.final[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** `reference` against every other strategy, for each accuracy measured on both sides of a seed. */
export function pairedComparisons(runs: readonly RunResult[], reference = 'flexmoe'): PairedComparison[] {
  const others = [...new Set(runs.map((r) => r.strategy))].filter((s) => s !== reference);
  const out: PairedComparison[] = [];
  for (const window of ['final', 'last5'] as const)
    for (const metric of ACCURACY_KINDS) {
      for (const baseline of others) {
        const seeds: number[] = [];
        const diffs: number[] = [];
        for (const mine of runs.filter((r) => r.strategy === reference)) {
          const theirs = runs.find((r) => r.strategy === baseline && r.seed === mine.seed);
          const a = metricOf(mine, metric, window);
          const b = theirs ? metricOf(theirs, metric, window) : null;
          if (a === null || b === null) continue;
          seeds.push(mine.seed);
          diffs.push(a - b);
        }
        if (diffs.length === 0) continue;
        const { mean, ci95 } = meanInterval(diffs);
        out.push({
          metric,
          window,
          strategy: reference,
          baseline,
          seeds,
          meanDiff: mean,
          ci95,
          wins: diffs.filter((d) => d > 0).length,
          ties: diffs.filter((d) => d === 0).length,
          losses: diffs.filter((d) => d < 0).length,
        });
      }
    }
  return out;
}

const METRIC_LABEL: Record<AccuracyKind, string> = {
  preLocalAccuracy: 'pre-local',
  postLocalAccuracy: 'post-local',
  globalAccuracy: 'global',
};

/** The comparisons as a Markdown table. */
export function formatComparisons(rows: readonly PairedComparison[]): string {
  const lines = ['| accuracy | rounds | comparison | mean difference | 95% interval | wins / seeds |', '|---|---|---|---|---|---|'];
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
  for (const c of rows) {
    const ci = c.ci95 ? `[${signed(c.ci95[0])}, ${signed(c.ci95[1])}]` : 'n/a';
    lines.push(
      `| ${METRIC_LABEL[c.metric]} | ${c.window === 'final' ? 'last' : 'mean of last 5'} | ${c.strategy} − ${c.baseline} | ${signed(c.meanDiff)} | ${ci} | ${c.wins} / ${c.seeds.length} |`,
    );
  }
  return lines.join('\n');
}
