/**
 * The benchmark table printed by `flexmoe bench`: one line per row, aligned columns.
 */
import type { BenchRow } from './rows';

const COLUMNS = ['suite', 'name', 'batch', 'value', 'unit', 'baseline', 'ratio'] as const;

/** A number with about four significant digits (plain notation for table cells). */
export function formatNumber(v: number | null): string {
  if (v === null || v === undefined) return '-';
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toString();
  if (abs >= 100) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  if (abs === 0) return '0';
  return v.toPrecision(3);
}

function cells(row: BenchRow): string[] {
  return [
    row.suite,
    row.name,
    row.batch === null ? '-' : String(row.batch),
    formatNumber(row.value),
    row.unit,
    formatNumber(row.baseline),
    row.ratio === null ? '-' : `${formatNumber(row.ratio)}x`,
  ];
}

/** The rows as an aligned text table with a header line. */
export function formatTable(rows: readonly BenchRow[]): string {
  const body = rows.map(cells);
  const header = [...COLUMNS];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const numeric = new Set([2, 3, 5, 6]);
  const line = (r: string[]): string =>
    r
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
