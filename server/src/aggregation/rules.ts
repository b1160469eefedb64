/**
 * Aggregation rules applied per parameter group (the backbone over every reporting client, each
 * expert over its trainers): FedAvg (weighted mean), coordinate-wise median, and coordinate-wise
 * trimmed mean (drop the fraction F of values at each end, average the rest), as offered by the
 * robust strategies of Flower and NVFlare. Median and trimmed mean ignore the weights: a client's
 * declared size must not buy it a larger say.
 */
import { ConfigError } from '@flexmoe/shared';

/** A parsed `--aggregation` value. */
export type AggregationRule = { readonly kind: 'fedavg' } | { readonly kind: 'median' } | { readonly kind: 'trimmed-mean'; readonly fraction: number };

/** Parses `fedavg`, `median` or `trimmed-mean:F` (0 <= F < 0.5); ConfigError otherwise. */
export function parseAggregationRule(text: string): AggregationRule {
  const t = text.trim();
  if (t === 'fedavg' || t === 'median') return { kind: t };
  const m = /^trimmed-mean:([0-9.]+)$/.exec(t);
  const f = m ? Number(m[1]) : NaN;
  if (m && Number.isFinite(f) && f >= 0 && f < 0.5) return { kind: 'trimmed-mean', fraction: f };
  throw new ConfigError(`--aggregation must be fedavg, median or trimmed-mean:F with 0 <= F < 0.5 (got '${text}')`);
}

/** The rule as written on the command line. */
export function formatAggregationRule(r: AggregationRule): string {
  return r.kind === 'trimmed-mean' ? `trimmed-mean:${r.fraction}` : r.kind;
}

/** Values dropped at each end by a trimmed mean of `k` values (always keeps at least one). */
export function trimCount(k: number, fraction: number): number {
  return Math.min(Math.floor(fraction * k), Math.floor((k - 1) / 2));
}

/**
 * Coordinate-wise median (`fraction` undefined) or trimmed mean of equally long tensors. For an
 * even count the median is the mean of the two middle values.
 */
export function coordinateWise(tensors: readonly Float32Array[], fraction?: number): Float32Array {
  const k = tensors.length;
  if (k === 0) throw new Error('coordinate-wise aggregation of no tensors');
  const n = tensors[0]!.length;
  const out = new Float32Array(n);
  const column = new Float64Array(k);
  const cut = fraction === undefined ? 0 : trimCount(k, fraction);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) column[j] = tensors[j]![i]!;
    column.sort();
    if (fraction === undefined) {
      out[i] = k % 2 === 1 ? column[(k - 1) / 2]! : (column[k / 2 - 1]! + column[k / 2]!) / 2;
    } else {
      let sum = 0;
      for (let j = cut; j < k - cut; j++) sum += column[j]!;
      out[i] = sum / (k - 2 * cut);
    }
  }
  return out;
}
