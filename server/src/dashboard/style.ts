/** Inline stylesheet of the dashboard page (no external fonts or assets). */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5f6b7a; --line: #d8dee6; --bg: #f5f7fa; --card: #fff; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 24px; align-items: baseline; padding: 14px 20px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0 12px 0 0; }
.kpi { display: flex; flex-direction: column; }
.kpi .label { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.kpi .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 16px; padding: 16px 20px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
section h2 { font-size: 14px; margin: 0 0 8px; }
section p.note { margin: 4px 0 0; color: var(--muted); font-size: 12px; }
svg { display: block; width: 100%; height: auto; }
svg[id$="-heatmap"] { width: auto; max-width: 100%; height: auto; }
svg text.cell-label { font-size: 9px; pointer-events: none; }
svg text { font-size: 10px; fill: var(--muted); }
svg .axis { stroke: var(--line); }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .line.pre-local { stroke-dasharray: 6 3; opacity: 0.8; }
svg .line.global { stroke-dasharray: 2 3; opacity: 0.8; }
svg .point { fill: var(--accent); }
.legend { display: flex; flex-wrap: wrap; gap: 8px; font-size: 11px; color: var(--muted); margin-top: 6px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; background: var(--swatch); vertical-align: -1px; }
div.scroll { max-height: 520px; overflow: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); font-size: 12px; }
th { color: var(--muted); font-weight: 500; }
.empty { color: var(--muted); font-style: italic; }
#status-error { display: none; padding: 8px 20px; background: #fee2e2; color: #991b1b; }
#status-error.shown { display: block; }
`;
