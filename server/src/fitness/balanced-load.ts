/**
 * The most balanced expert load the client sizes allow, constructed: largest clients first, each
 * onto its k_c least-loaded experts, then single moves of one client from the most to the least
 * loaded expert while that narrows their gap. The result is a real assignment, so bounds that
 * contain its loads always admit an integer solution, and its CV is the achievable minimum the
 * runs report as `loadCvMin` (exact when clients are equal in size, where the deal is perfectly
 * round-robin; otherwise the best this construction finds, an upper bound on the true minimum).
 */
import { summarizeLoad } from './load-metrics';

/** Loads per expert of the constructed balanced assignment, and that assignment. */
export function balancedLoads(samples: readonly number[], capacity: readonly number[], experts: number): { load: number[]; assignment: number[][] } {
  const load = new Array<number>(experts).fill(0);
  const assignment: number[][] = samples.map(() => []);
  const order = samples.map((_, c) => c).sort((a, b) => samples[b] - samples[a] || a - b);
  for (const c of order) {
    const k = Math.min(experts, Math.max(0, capacity[c]));
    const picks = load
      .map((l, e) => [l, e] as const)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1])
      .slice(0, k);
    for (const [, e] of picks) {
      load[e] += samples[c];
      assignment[c].push(e);
    }
  }
  improveByMoves(load, assignment, samples, experts);
  return { load, assignment };
}

/** Moves one client at a time from the heaviest to the lightest expert while the gap shrinks. */
function improveByMoves(load: number[], assignment: number[][], samples: readonly number[], experts: number): void {
  for (let iter = 0; iter < 10 * experts * Math.max(1, samples.length); iter++) {
    let hi = 0;
    let lo = 0;
    load.forEach((l, e) => {
      if (l > load[hi]) hi = e;
      if (l < load[lo]) lo = e;
    });
    const gap = load[hi] - load[lo];
    // A client of size n on hi but not on lo narrows the gap when 0 < n < gap; take the best.
    let best = -1;
    assignment.forEach((list, c) => {
      const n = samples[c];
      if (n > 0 && n < gap && list.includes(hi) && !list.includes(lo) && (best < 0 || Math.abs(gap - 2 * n) < Math.abs(gap - 2 * samples[best]))) best = c;
    });
    if (best < 0) return;
    const list = assignment[best];
    list[list.indexOf(hi)] = lo;
    load[hi] -= samples[best];
    load[lo] += samples[best];
  }
}

/** The CV of the constructed balanced assignment: the smallest load CV the runs can expect. */
export function minimalLoadCv(samples: readonly number[], capacity: readonly number[], experts: number): number {
  return summarizeLoad(balancedLoads(samples, capacity, experts).load).cv;
}
