/**
 * What a partition looks like: samples and class histogram per client, and a printable table.
 */
import { classHistogram } from './ops';
import type { LabelledSet } from './types';

/** One client's line of a partition summary. */
export interface ClientShareSummary {
  /** Zero-based client index. */
  client: number;
  /** Samples assigned to the client. */
  samples: number;
  /** Samples per class. */
  histogram: number[];
  /** Shannon entropy of the client's class mix, in bits (0 = one class; log2(classes) = uniform). */
  entropy: number;
}

/** A whole partition summarised. */
export interface PartitionSummary {
  /** Class count of the partitioned dataset. */
  classes: number;
  /** One entry per client. */
  clients: ClientShareSummary[];
  /** Mean of the per-client class entropies (lower = more label skew). */
  meanEntropy: number;
}

/** Shannon entropy in bits of a histogram (0 for an empty one). */
export function histogramEntropy(histogram: readonly number[]): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return histogram.reduce((h, count) => (count > 0 ? h - (count / total) * Math.log2(count / total) : h), 0);
}

/** Samples, class histogram and class entropy of every client of a partition of `ds`. */
export function partitionSummary(ds: LabelledSet, parts: readonly number[][]): PartitionSummary {
  const clients = parts.map((indices, client) => {
    const histogram = classHistogram(ds, indices);
    return { client, samples: indices.length, histogram, entropy: histogramEntropy(histogram) };
  });
  const meanEntropy = clients.reduce((s, c) => s + c.entropy, 0) / Math.max(1, clients.length);
  return { classes: ds.classes, clients, meanEntropy };
}

/** A fixed-width text table: one row per client (samples, then count per class), then totals. */
export function formatPartitionTable(summary: PartitionSummary): string {
  const header = ['client', 'samples', ...Array.from({ length: summary.classes }, (_, c) => `c${c}`)];
  const rows = summary.clients.map((c) => [String(c.client), String(c.samples), ...c.histogram.map(String)]);
  const totals = ['total', String(summary.clients.reduce((s, c) => s + c.samples, 0))];
  for (let k = 0; k < summary.classes; k++) {
    totals.push(String(summary.clients.reduce((s, c) => s + (c.histogram[k] ?? 0), 0)));
  }
  const table = [header, ...rows, totals];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  return [...table.map(line), `mean class entropy ${summary.meanEntropy.toFixed(3)} bits`].join('\n');
}
