/** Expert load metrics reported every round: coefficient of variation and max/mean. */

/** Summary of one load vector. */
export interface LoadSummary {
  readonly load: number[];
  readonly mean: number;
  /** std / mean (population std); 0 when the mean is 0. */
  readonly cv: number;
  /** max / mean; 0 when the mean is 0. */
  readonly maxOverMean: number;
}

/** CV and max/mean of a load vector. */
export function summarizeLoad(load: readonly number[]): LoadSummary {
  const n = load.length;
  const mean = n === 0 ? 0 : load.reduce((a, b) => a + b, 0) / n;
  if (mean <= 0) return { load: [...load], mean, cv: 0, maxOverMean: 0 };
  const variance = load.reduce((a, l) => a + (l - mean) ** 2, 0) / n;
  return { load: [...load], mean, cv: Math.sqrt(variance) / mean, maxOverMean: Math.max(...load) / mean };
}

/** Assigned load: load(e) = sum_c n_c X[c][e]. */
export function assignedLoad(assignment: readonly (readonly number[])[], samples: readonly number[], experts: number): number[] {
  const load = new Array<number>(experts).fill(0);
  assignment.forEach((list, c) => list.forEach((e) => (load[e] += samples[c])));
  return load;
}

/** Routed load: sum over clients of u[c][e], the samples actually routed to e (reports list (expert, routed)). */
export function routedLoad(reports: readonly (readonly { expert: number; routed: number }[])[], experts: number): number[] {
  const load = new Array<number>(experts).fill(0);
  for (const list of reports) for (const r of list) if (r.expert >= 0 && r.expert < experts) load[r.expert] += r.routed;
  return load;
}
