/**
 * The assignment ILP as a glpk.js model (plain data, so it can cross to a worker thread).
 * The elastic form adds over/under slack on every load row, penalised far above any fitness
 * gain, so the model is always feasible and minimises the violation first.
 */
import type { Instance } from './instance';

/** glpk.js constants we use (stable across glpk.js versions; see its types). */
export const GLP = { MAX: 2, FR: 1, LO: 2, UP: 3, DB: 4, FX: 5, MSG_OFF: 0, UNDEF: 1, FEAS: 2, INFEAS: 3, NOFEAS: 4, OPT: 5 } as const;

interface Term {
  name: string;
  coef: number;
}
/** The glpk.js LP shape (see `glpk.js` types). */
export interface GlpkModel {
  name: string;
  objective: { direction: number; name: string; vars: Term[] };
  subjectTo: { name: string; vars: Term[]; bnds: { type: number; ub: number; lb: number } }[];
  bounds: { name: string; type: number; ub: number; lb: number }[];
  binaries: string[];
}

/** Name of the variable X[c][e]. */
export function varName(c: number, e: number): string {
  return `x${c}_${e}`;
}

/**
 * Penalty per sample of violation: above the largest total fitness any assignment can gain, so
 * with integer n_c one sample less violation always beats any fitness.
 */
export function violationPenalty(inst: Instance): number {
  const { clients: C, experts: E, q, capacity } = inst;
  let spread = 0;
  for (let c = 0; c < C; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let e = 0; e < E; e++) {
      lo = Math.min(lo, q[c * E + e]);
      hi = Math.max(hi, q[c * E + e]);
    }
    spread += capacity[c] * (hi - lo);
  }
  return spread + 1;
}

/** Builds the MIP (`relax` = its LP relaxation), elastic unless `elastic` is false. */
export function buildModel(inst: Instance, options: { relax?: boolean; elastic?: boolean } = {}): GlpkModel {
  const { clients: C, experts: E, q, samples, capacity, lower, upper } = inst;
  const elastic = options.elastic ?? true;
  const objective: Term[] = [];
  const bounds: GlpkModel['bounds'] = [];
  const binaries: string[] = [];
  const rows: GlpkModel['subjectTo'] = [];
  const expertTerms: Term[][] = Array.from({ length: E }, () => []);
  for (let c = 0; c < C; c++) {
    const terms: Term[] = [];
    for (let e = 0; e < E; e++) {
      const name = varName(c, e);
      objective.push({ name, coef: q[c * E + e] });
      terms.push({ name, coef: 1 });
      if (samples[c] !== 0) expertTerms[e].push({ name, coef: samples[c] });
      if (options.relax) bounds.push({ name, type: GLP.DB, lb: 0, ub: 1 });
      else binaries.push(name);
    }
    rows.push({ name: `client${c}`, vars: terms, bnds: { type: GLP.FX, lb: capacity[c], ub: capacity[c] } });
  }
  const penalty = violationPenalty(inst);
  for (let e = 0; e < E; e++) {
    const terms = expertTerms[e];
    if (elastic) {
      terms.push({ name: `over${e}`, coef: -1 }, { name: `under${e}`, coef: 1 });
      objective.push({ name: `over${e}`, coef: -penalty }, { name: `under${e}`, coef: -penalty });
      bounds.push({ name: `over${e}`, type: GLP.LO, lb: 0, ub: 0 }, { name: `under${e}`, type: GLP.LO, lb: 0, ub: 0 });
    }
    // An unbounded expert (explicit upper = Infinity) gets a one-sided row glpk can read.
    const type = !Number.isFinite(upper[e]) ? GLP.LO : lower[e] === upper[e] ? GLP.FX : GLP.DB;
    const ub = Number.isFinite(upper[e]) ? upper[e] : 0;
    rows.push({ name: `expert${e}`, vars: terms, bnds: { type, lb: lower[e], ub } });
  }
  return { name: 'assignment', objective: { direction: GLP.MAX, name: 'fitness', vars: objective }, subjectTo: rows, bounds, binaries };
}

/** Reads X from glpk's variables; null unless every client has exactly k_c experts. */
export function readAssignment(inst: Instance, vars: Record<string, number>): number[][] | null {
  const out: number[][] = [];
  for (let c = 0; c < inst.clients; c++) {
    const experts: number[] = [];
    for (let e = 0; e < inst.experts; e++) if ((vars[varName(c, e)] ?? 0) > 0.5) experts.push(e);
    if (experts.length !== inst.capacity[c]) return null;
    out.push(experts);
  }
  return out;
}
