import { DASHBOARD_CSS } from './style';
import { DASHBOARD_SCRIPT } from './script';

/** Options of the dashboard page. */
export interface DashboardOptions {
  /** URL of the JSON status endpoint, relative to the page (default `api/status`). */
  readonly statusPath?: string;
  /** Poll interval in milliseconds (default 2000). */
  readonly pollMs?: number;
  /** Most recent rounds drawn in the expert-load chart (default 40). */
  readonly maxBars?: number;
  /** Most clients drawn in each heatmap (default 100; the client table lists all). */
  readonly maxHeatmapRows?: number;
  /** Page title (default `FlexMoE`). */
  readonly title?: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function kpi(id: string, label: string): string {
  return `<div class="kpi"><span class="label">${label}</span><span class="value" id="${id}">–</span></div>`;
}

function card(title: string, body: string, note = ''): string {
  return `<section><h2>${title}</h2>${body}${note ? `<p class="note">${note}</p>` : ''}</section>`;
}

function body(title: string): string {
  return [
    `<header><h1>${escapeHtml(title)}</h1>`,
    kpi('round', 'Round'),
    kpi('state', 'State'),
    kpi('strategy', 'Strategy'),
    kpi('accuracy', 'Accuracy (post-local)'),
    kpi('pre-local', 'Pre-local'),
    kpi('global', 'Global'),
    kpi('clients-count', 'Clients connected'),
    kpi('load-cv', 'Load CV'),
    '</header><div id="status-error" role="alert"></div><main>',
    card(
      'Accuracy per round',
      '<svg id="accuracy-chart" viewBox="0 0 440 200" role="img" aria-label="accuracy per round"></svg>',
      "Sample-weighted means over clients. Solid: after local training, on each client's held-out split. Dashed: the aggregated model with each client's gate before local training (pre-local). Dotted: the pre-local models on the class-balanced global test set.",
    ),
    card(
      'Expert load per round',
      '<svg id="load-chart" viewBox="0 0 440 200" role="img" aria-label="expert load per round"></svg><div class="legend" id="load-legend"></div>',
      'Samples assigned to each expert (sum of n_c over the clients holding it), stacked.',
    ),
    card(
      'Assignment (client × expert)',
      '<svg id="assignment-heatmap" viewBox="0 0 440 30" role="img" aria-label="assignment matrix"></svg>',
      'Dark: the expert was assigned to the client in the last completed round.',
    ),
    card(
      'Q (client × expert fitness)',
      '<svg id="q-heatmap" viewBox="0 0 440 30" role="img" aria-label="Q matrix"></svg>',
      'Darker is higher; the solver maximises the sum of Q over assigned pairs.',
    ),
    card(
      'Clients',
      '<div class="scroll"><table id="clients"><thead><tr><th>id</th><th>capacity</th><th>samples</th><th>state</th><th>rounds</th><th>last seen</th></tr></thead><tbody></tbody></table></div>',
    ),
    '</main>',
  ].join('\n');
}

/**
 * The coordinator's live dashboard: one self-contained HTML page (inline CSS, inline script,
 * inline SVG; no external requests) that polls the status endpoint and draws the round, state,
 * accuracy curve, expert load per round, the assignment and Q heatmaps and the client list.
 * Serve it as `text/html` at `/` and `/dashboard` on the coordinator's HTTP port.
 */
export function dashboardHtml(options: DashboardOptions = {}): string {
  const title = options.title ?? 'FlexMoE';
  // JSON inside <script type="application/json">: escape '<' so no value can close the tag.
  const config = JSON.stringify({
    statusPath: options.statusPath ?? 'api/status',
    pollMs: options.pollMs ?? 2000,
    maxBars: options.maxBars ?? 40,
    maxHeatmapRows: options.maxHeatmapRows ?? 100,
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} dashboard</title>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
${body(title)}
<script type="application/json" id="dashboard-config">${config}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
