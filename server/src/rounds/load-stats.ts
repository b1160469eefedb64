/** Balance statistics of an expert load vector. */

/** Coefficient of variation std/mean (population std); 0 for an all-zero vector. */
export function coefficientOfVariation(load: readonly number[]): number {
  if (load.length === 0) return 0;
  const mean = load.reduce((a, b) => a + b, 0) / load.length;
  if (mean === 0) return 0;
  const variance = load.reduce((a, b) => a + (b - mean) ** 2, 0) / load.length;
  return Math.sqrt(variance) / mean;
}

/** max/mean; 0 for an all-zero vector. */
export function maxOverMean(load: readonly number[]): number {
  if (load.length === 0) return 0;
  const mean = load.reduce((a, b) => a + b, 0) / load.length;
  return mean === 0 ? 0 : Math.max(...load) / mean;
}

/** Assigned load(e) = sum_c n_c X_ce. */
export function assignedLoad(samples: readonly number[], assignment: readonly (readonly number[])[], experts: number): number[] {
  const load = new Array<number>(experts).fill(0);
  assignment.forEach((row, c) => row.forEach((e) => (load[e] += samples[c]!)));
  return load;
}
