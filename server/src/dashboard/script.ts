/**
 * The dashboard's browser script, as text: vanilla ES2020, no libraries, no network access
 * beyond polling the coordinator's status endpoint. Every drawn value is also written to a
 * `data-*` attribute so tests (and curious operators) can read the numbers behind the pixels.
 */
export const DASHBOARD_SCRIPT = String.raw`
'use strict';
const CFG = JSON.parse(document.getElementById('dashboard-config').textContent);
const SVG_NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#2563eb', '#f97316', '#16a34a', '#dc2626', '#9333ea', '#0891b2', '#ca8a04', '#db2777',
  '#4b5563', '#65a30d', '#7c3aed', '#0d9488', '#ea580c', '#be123c', '#1d4ed8', '#a16207'];

function el(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}
function num(v) { return typeof v === 'number' && Number.isFinite(v) ? v : null; }
function fmt(v, digits) { return v === null || v === undefined ? '–' : Number(v).toFixed(digits); }
function pct(v) { return v === null || v === undefined ? '–' : (100 * v).toFixed(1) + '%'; }

// Rows in the order of the client list, then any client only the matrix knows.
function rowOrder(record, clientIds) {
  const ids = clientIds.filter((id) => id in record);
  for (const id of Object.keys(record)) if (!ids.includes(id)) ids.push(id);
  return ids;
}
// { clientId: [assigned expert ids] } -> 0/1 rows.
function matrixFromIds(record, clientIds, experts) {
  const rows = rowOrder(record || {}, clientIds).map((id) => ({ id, values: Array.from({ length: experts }, (_, e) => (record[id].includes(e) ? 1 : 0)) }));
  return { rows, cols: experts };
}
// { clientId: [value per expert] } -> rows.
function matrixFromRows(record, clientIds, experts) {
  const rows = rowOrder(record || {}, clientIds).map((id) => ({ id, values: record[id].map(Number) }));
  return { rows, cols: experts };
}

function normalise(s) {
  const history = (s.history || []).map((h) => ({ round: h.round, accuracy: num(h.accuracy), load: h.load || [], loadCv: num(h.loadCv) }));
  const clients = s.clients || [];
  const clientIds = clients.map((c) => String(c.id));
  const experts = s.experts || (history.length ? history[history.length - 1].load.length : 0);
  return {
    round: num(s.round), currentRound: num(s.currentRound), totalRounds: num(s.totalRounds),
    state: s.state || 'unknown', strategy: s.strategy || '', runId: s.runId || '',
    accuracy: num(s.accuracy),
    history, clients, experts,
    assignment: matrixFromIds(s.assignment, clientIds, experts),
    q: matrixFromRows(s.q, clientIds, experts),
  };
}

function drawAccuracy(view) {
  const svg = document.getElementById('accuracy-chart');
  svg.replaceChildren();
  const W = 440, H = 200, L = 36, R = 10, T = 10, B = 24;
  const pts = view.history.filter((h) => h.accuracy !== null);
  svg.dataset.points = String(pts.length);
  el('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }, svg);
  el('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }, svg);
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const y = H - B - v * (H - T - B);
    el('text', { x: 4, y: y + 3 }, svg).textContent = (v * 100).toFixed(0) + '%';
  }
  if (!pts.length) return;
  const r0 = pts[0].round, r1 = Math.max(pts[pts.length - 1].round, r0 + 1);
  const x = (r) => L + ((r - r0) / (r1 - r0)) * (W - L - R);
  const y = (a) => H - B - Math.min(Math.max(a, 0), 1) * (H - T - B);
  el('polyline', { class: 'line', points: pts.map((p) => x(p.round) + ',' + y(p.accuracy)).join(' ') }, svg);
  for (const p of pts) {
    const c = el('circle', { class: 'point', cx: x(p.round), cy: y(p.accuracy), r: 3, 'data-round': p.round, 'data-accuracy': p.accuracy }, svg);
    el('title', {}, c).textContent = 'round ' + p.round + ': ' + pct(p.accuracy);
  }
  el('text', { x: L, y: H - 6 }, svg).textContent = 'round ' + r0;
  el('text', { x: W - R - 50, y: H - 6 }, svg).textContent = 'round ' + pts[pts.length - 1].round;
}

function drawLoad(view) {
  const svg = document.getElementById('load-chart');
  svg.replaceChildren();
  const rounds = view.history.filter((h) => h.load.length).slice(-CFG.maxBars);
  svg.dataset.rounds = String(rounds.length);
  const W = 440, H = 200, L = 36, B = 24, T = 10;
  el('line', { class: 'axis', x1: L, y1: H - B, x2: W, y2: H - B }, svg);
  if (!rounds.length) return;
  const maxTotal = Math.max(...rounds.map((h) => h.load.reduce((a, b) => a + b, 0)), 1);
  const bw = (W - L) / rounds.length;
  el('text', { x: 2, y: T + 8 }, svg).textContent = String(Math.round(maxTotal));
  rounds.forEach((h, i) => {
    let y = H - B;
    h.load.forEach((v, e) => {
      const hgt = (v / maxTotal) * (H - T - B);
      y -= hgt;
      const r = el('rect', { class: 'bar', x: L + i * bw + 1, y, width: Math.max(bw - 2, 1), height: hgt, fill: PALETTE[e % PALETTE.length], 'data-round': h.round, 'data-expert': e, 'data-load': v }, svg);
      el('title', {}, r).textContent = 'round ' + h.round + ', expert ' + e + ': ' + v;
    });
    if (rounds.length <= 20 || i % Math.ceil(rounds.length / 20) === 0) el('text', { x: L + i * bw + bw / 2 - 4, y: H - 8 }, svg).textContent = String(h.round);
  });
  const legend = document.getElementById('load-legend');
  legend.replaceChildren(...rounds[rounds.length - 1].load.map((_, e) => {
    const s = document.createElement('span');
    s.style.setProperty('--swatch', PALETTE[e % PALETTE.length]);
    s.textContent = 'expert ' + e;
    return s;
  }));
}

function heatColor(t) {
  // Light-to-dark blue ramp; readable in print and for most colour-vision types.
  const a = [239, 246, 255], b = [30, 64, 175];
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * Math.min(Math.max(t, 0), 1)));
  return 'rgb(' + c.join(',') + ')';
}

function drawHeatmap(id, matrix, digits) {
  const svg = document.getElementById(id);
  svg.replaceChildren();
  const cols = matrix.cols || Math.max(0, ...matrix.rows.map((r) => r.values.length));
  // Large fleets: draw the first rows only (the client table lists everyone).
  const rows = matrix.rows.slice(0, CFG.maxHeatmapRows), hidden = matrix.rows.length - rows.length;
  svg.dataset.rows = String(rows.length);
  svg.dataset.hiddenRows = String(hidden);
  svg.dataset.cols = String(cols);
  if (!rows.length || !cols) { svg.setAttribute('viewBox', '0 0 440 30'); el('text', { x: 4, y: 18 }, svg).textContent = 'no data yet'; return; }
  const L = 90, T = 16, cw = Math.min(48, (440 - L) / cols), ch = Math.min(24, Math.max(12, 360 / rows.length));
  const W = L + cols * cw + 2, H = T + rows.length * ch + (hidden ? 16 : 2);
  // Natural size (capped by the card width) so a small matrix is not blown up.
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  const all = rows.flatMap((r) => r.values).filter(Number.isFinite);
  const lo = Math.min(...all), hi = Math.max(...all);
  const scale = (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  svg.dataset.min = String(lo);
  svg.dataset.max = String(hi);
  for (let e = 0; e < cols; e++) el('text', { x: L + e * cw + cw / 2 - 3, y: 11 }, svg).textContent = String(e);
  rows.forEach((row, i) => {
    el('text', { x: 2, y: T + i * ch + ch / 2 + 3 }, svg).textContent = row.id.length > 14 ? row.id.slice(0, 13) + '…' : row.id;
    for (let e = 0; e < cols; e++) {
      const v = row.values[e];
      const t = Number.isFinite(v) ? scale(v) : 0;
      const r = el('rect', { class: 'cell', x: L + e * cw, y: T + i * ch, width: cw - 1, height: ch - 1, fill: Number.isFinite(v) ? heatColor(t) : '#eee', 'data-client': row.id, 'data-expert': e, 'data-value': v ?? '' }, svg);
      el('title', {}, r).textContent = row.id + ' × expert ' + e + ': ' + fmt(v, digits);
      if (digits > 0 && cw >= 34 && ch >= 14 && Number.isFinite(v)) {
        const label = el('text', { class: 'cell-label', x: L + e * cw + cw / 2, y: T + i * ch + ch / 2 + 3, 'text-anchor': 'middle' }, svg);
        label.style.fill = t > 0.55 ? '#fff' : '#1d2430';
        label.textContent = fmt(v, 2);
      }
    }
  });
  if (digits > 0) el('text', { x: 2, y: 11 }, svg).textContent = fmt(lo, 2) + '–' + fmt(hi, 2);
  if (hidden) el('text', { x: 2, y: H - 4 }, svg).textContent = '… and ' + hidden + ' more clients';
}

function drawClients(view) {
  const body = document.querySelector('#clients tbody');
  body.replaceChildren();
  const now = Date.now();
  for (const c of view.clients) {
    const tr = document.createElement('tr');
    const seenMs = typeof c.lastSeen === 'number' ? c.lastSeen : NaN;
    tr.dataset.client = String(c.id);
    if (Number.isFinite(seenMs)) tr.dataset.lastSeen = String(seenMs);
    tr.dataset.connected = String(Boolean(c.connected));
    const cells = [c.id, c.capacity ?? '–', c.samples ?? '–', c.state ?? '–', c.roundsCompleted ?? '–',
      Number.isFinite(seenMs) ? Math.max(0, Math.round((now - seenMs) / 1000)) + ' s ago' : '–'];
    for (const v of cells) { const td = document.createElement('td'); td.textContent = String(v); tr.appendChild(td); }
    body.appendChild(tr);
  }
  document.getElementById('clients').dataset.count = String(view.clients.length);
  document.getElementById('clients').dataset.connected = String(view.clients.filter((c) => c.connected).length);
}

function setKpi(id, text, attr, value) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.dataset[attr] = value === null || value === undefined ? '' : String(value);
}

function render(view) {
  setKpi('round', view.round === null ? '–' : view.round + (view.totalRounds ? ' / ' + view.totalRounds : ''), 'round', view.round);
  document.getElementById('round').dataset.currentRound = view.currentRound === null ? '' : String(view.currentRound);
  setKpi('state', view.state, 'state', view.state);
  setKpi('strategy', view.strategy || '–', 'strategy', view.strategy);
  setKpi('accuracy', pct(view.accuracy), 'accuracy', view.accuracy);
  const connected = view.clients.filter((c) => c.connected).length;
  setKpi('clients-count', connected + ' / ' + view.clients.length, 'clients', connected);
  const latest = view.history[view.history.length - 1];
  setKpi('load-cv', fmt(latest ? latest.loadCv : null, 3), 'loadCv', latest ? latest.loadCv : null);
  drawAccuracy(view);
  drawLoad(view);
  drawHeatmap('assignment-heatmap', view.assignment, 0);
  drawHeatmap('q-heatmap', view.q, 3);
  drawClients(view);
  document.body.dataset.updated = String(Date.now());
}

async function poll() {
  const banner = document.getElementById('status-error');
  try {
    // A status token travels in the page address fragment (#token=...), which browsers never send.
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    const res = await fetch(CFG.statusPath, { cache: 'no-store', headers: token ? { authorization: 'Bearer ' + token } : {} });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(normalise(await res.json()));
    banner.classList.remove('shown');
  } catch (err) {
    banner.textContent = 'cannot read ' + CFG.statusPath + ': ' + err.message + ' (retrying)';
    banner.classList.add('shown');
  } finally {
    setTimeout(poll, CFG.pollMs);
  }
}
poll();
`;
