/** Self-contained SVG charts for experiment results (no plotting dependency: a few dozen lines each). */

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** One named series of (x, y) points. */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Axis options of a line chart. */
export interface ChartOptions {
  /** Lower end of the y axis (default: min(0, data)); raise it to show small differences. */
  yMin?: number;
}

/** A line chart with axes, ticks and a legend. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series[], options: ChartOptions = {}): string {
  const [w, h, left, right, top, bottom] = [640, 360, 60, 150, 40, 50];
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [y0, y1] = [options.yMin ?? Math.min(...ys, 0), Math.max(...ys, (options.yMin ?? 0) + 1e-9)];
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (w - left - right);
  const py = (y: number) => h - bottom - ((y - y0) / (y1 - y0 || 1)) * (h - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<line x1="${left}" y1="${h - bottom}" x2="${w - right}" y2="${h - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${h - bottom}" stroke="black"/>`,
    `<text x="${(left + w - right) / 2}" y="${h - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="15" y="${h / 2}" text-anchor="middle" transform="rotate(-90 15 ${h / 2})">${esc(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const y = y0 + ((y1 - y0) * i) / 5;
    parts.push(`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(y1 - y0 < 0.5 ? 3 : 2)}</text>`);
    parts.push(`<line x1="${left}" y1="${py(y)}" x2="${w - right}" y2="${py(y)}" stroke="#ddd"/>`);
    const x = x0 + ((x1 - x0) * i) / 5;
    parts.push(`<text x="${px(x)}" y="${h - bottom + 16}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const d = s.points.filter((p) => Number.isFinite(p.y)).map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`);
    parts.push(`<path d="${d.join('')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<rect x="${w - right + 12}" y="${top + i * 20}" width="12" height="12" fill="${colour}"/>`);
    parts.push(`<text x="${w - right + 30}" y="${top + i * 20 + 10}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Heatmaps of a matrix per panel (rows = rounds, columns = experts), side by side: how the
 * assigned load spreads over experts round after round, one panel per strategy.
 */
export function heatmapPanels(
  title: string,
  panels: readonly { name: string; rows: readonly (readonly number[])[] }[],
  scale: 'global' | 'panel' = 'global',
): string {
  const cell = 14;
  const gap = 40;
  const widths = panels.map((p) => (p.rows[0]?.length ?? 0) * cell);
  const height = Math.max(0, ...panels.map((p) => p.rows.length)) * cell;
  const w = widths.reduce((a, b) => a + b + gap, gap);
  const h = height + 90;
  const globalMax = Math.max(1e-9, ...panels.flatMap((p) => p.rows.flat()));
  // Per-panel scaling keeps a strategy with more total load (dense) from washing out the others.
  const maxOf = (p: (typeof panels)[number]) => (scale === 'panel' ? Math.max(1e-9, ...p.rows.flat()) : globalMax);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${w / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  let x = gap;
  panels.forEach((p, i) => {
    const max = maxOf(p);
    parts.push(`<text x="${x + widths[i] / 2}" y="42" text-anchor="middle">${esc(p.name)}</text>`);
    p.rows.forEach((row, r) =>
      row.forEach((v, e) => {
        const shade = Math.round(255 * (1 - v / max));
        parts.push(
          `<rect x="${x + e * cell}" y="${50 + r * cell}" width="${cell - 1}" height="${cell - 1}" fill="rgb(${shade},${shade},255)"><title>round ${r + 1}, expert ${e}: ${v}</title></rect>`,
        );
      }),
    );
    parts.push(`<text x="${x + widths[i] / 2}" y="${h - 20}" text-anchor="middle">experts (x) by round (y)</text>`);
    x += widths[i] + gap;
  });
  parts.push('</svg>');
  return parts.join('\n');
}
