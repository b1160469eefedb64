/**
 * Validation of an `AssignmentProblem` at the edge and its flat, jittered form for the solvers.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { loadBounds } from '../fitness/bounds';
import { mixSeeds, Rng } from './rng';
import type { AssignmentProblem } from './types';

/** The solver-side form: flat typed arrays, row-major Q (C x E). */
export interface Instance {
  readonly clients: number;
  readonly experts: number;
  /** Q with a tiny seeded jitter (breaks ties reproducibly); the solvers optimise this. */
  readonly q: Float64Array;
  /** The jittered Q transposed (E x C): price steps walk one expert's column. */
  readonly qT: Float64Array;
  /** The original Q; objectives are reported on this. */
  readonly qRaw: Float64Array;
  readonly samples: Float64Array;
  readonly capacity: Int32Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Relative size of the tie-breaking jitter: far below any meaningful fitness difference. */
const JITTER = 1e-9;

/** Throws `InvalidArgumentError` naming the field when the problem is malformed. */
export function validateProblem(p: AssignmentProblem): void {
  const bad = (msg: string): never => {
    throw new InvalidArgumentError(`assignment problem: ${msg}`);
  };
  if (!Number.isInteger(p.experts) || p.experts < 1) bad(`experts must be an integer >= 1 (got ${p.experts})`);
  if (!Array.isArray(p.clients) || p.clients.length === 0) bad('clients must be a non-empty array');
  if (!Array.isArray(p.q) || p.q.length !== p.clients.length) {
    bad(`q must have one row per client (${p.clients.length}), got ${Array.isArray(p.q) ? p.q.length : typeof p.q}`);
  }
  p.clients.forEach((c, i) => {
    if (!(typeof c.samples === 'number' && Number.isFinite(c.samples) && c.samples >= 0)) {
      bad(`samples[${i}] must be a finite number >= 0 (got ${c.samples})`);
    }
    if (!Number.isInteger(c.capacity) || c.capacity < 1 || c.capacity > p.experts) {
      bad(`capacity[${i}] must be an integer in 1..${p.experts} (got ${c.capacity})`);
    }
    const row = p.q[i];
    if (!Array.isArray(row) || row.length !== p.experts) bad(`q[${i}] must have ${p.experts} entries (ragged q)`);
    for (let e = 0; e < p.experts; e++) {
      if (typeof row[e] !== 'number' || !Number.isFinite(row[e])) bad(`q[${i}][${e}] must be a finite number (got ${row[e]})`);
    }
  });
  validateBounds(p, bad);
}

function validateBounds(p: AssignmentProblem, bad: (msg: string) => never): void {
  if ((p.lower === undefined) !== (p.upper === undefined)) bad('lower and upper must be given together');
  for (const [name, v] of [
    ['lower', p.lower],
    ['upper', p.upper],
  ] as const) {
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length !== p.experts) bad(`${name} must have ${p.experts} entries`);
    v.forEach((x, e) => {
      if (typeof x !== 'number' || Number.isNaN(x) || x < 0) bad(`${name}[${e}] must be a number >= 0 (got ${x})`);
    });
  }
  p.lower?.forEach((l, e) => {
    if (l > p.upper![e]) bad(`lower[${e}] = ${l} exceeds upper[${e}] = ${p.upper![e]}`);
  });
}

/** Validates and flattens a problem; bounds are explicit or SPEC's from `delta` (no deficits). */
export function toInstance(p: AssignmentProblem, delta = 0.1): Instance {
  validateProblem(p);
  const C = p.clients.length;
  const E = p.experts;
  const samples = Float64Array.from(p.clients, (c) => c.samples);
  const capacity = Int32Array.from(p.clients, (c) => c.capacity);
  const qRaw = new Float64Array(C * E);
  let scale = 1;
  for (let c = 0; c < C; c++) {
    const row = p.q[c];
    for (let e = 0; e < E; e++) {
      const v = row[e];
      qRaw[c * E + e] = v;
      if (Math.abs(v) > scale) scale = Math.abs(v);
    }
  }
  const rng = new Rng(mixSeeds(p.seed, p.round));
  const q = new Float64Array(C * E);
  const qT = new Float64Array(C * E);
  for (let i = 0; i < q.length; i++) q[i] = qRaw[i] + JITTER * scale * rng.next();
  for (let c = 0; c < C; c++) for (let e = 0; e < E; e++) qT[e * C + c] = q[c * E + e];
  const bounds = p.lower && p.upper ? { lower: [...p.lower], upper: [...p.upper] } : loadBounds([...samples], [...capacity], E, { delta });
  return {
    clients: C,
    experts: E,
    q,
    qT,
    qRaw,
    samples,
    capacity,
    lower: Float64Array.from(bounds.lower),
    upper: Float64Array.from(bounds.upper),
  };
}
