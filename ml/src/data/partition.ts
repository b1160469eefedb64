/**
 * Seeded partitioners that split a training set over simulated clients: `iid`,
 * `dirichlet:ALPHA` (label skew) and `classes:K` (each client sees K classes).
 * Every partitioner returns sorted sample indices per client; the same seed gives the same split.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { indicesByClass } from './ops';
import { SeededRandom, shuffleInPlace, range } from '@flexmoe/shared';
import type { PartitionSpec } from './partition-spec';
import { parsePartitionSpec } from './partition-spec';
import type { LabelledSet } from './types';

/** A Dirichlet client gets at least this many samples (fewer only if the data cannot give it). */
export const DIRICHLET_MIN_SAMPLES = 10;
const DIRICHLET_REDRAWS = 100;

/**
 * Splits `ds` over `clients` clients. `iid`, `dirichlet` assign every sample exactly once;
 * `classes:K` drops the samples of classes no client holds (only when clients * K < classes).
 */
export function partition(ds: LabelledSet, spec: string | PartitionSpec, clients: number, seed: number): number[][] {
  const parsed = typeof spec === 'string' ? parsePartitionSpec(spec) : spec;
  if (!Number.isInteger(clients) || clients < 1) {
    throw new InvalidArgumentError(`partition: client count must be an integer >= 1, got ${clients}`);
  }
  if (clients > ds.n) throw new InvalidArgumentError(`partition: ${ds.n} samples of ${ds.name} cannot serve ${clients} clients`);
  const rng = new SeededRandom(seed, `partition:${parsed.kind}`);
  let parts: number[][];
  if (parsed.kind === 'iid') parts = partitionIid(ds.n, clients, rng);
  else if (parsed.kind === 'dirichlet') parts = partitionDirichlet(ds, parsed.alpha, clients, rng);
  else parts = partitionClasses(ds, parsed.k, clients, rng);
  return parts.map((p) => p.sort((a, b) => a - b));
}

/** Shuffled indices dealt in contiguous chunks whose sizes differ by at most one. */
function partitionIid(n: number, clients: number, rng: SeededRandom): number[][] {
  const order = shuffleInPlace(range(n), rng);
  return range(clients).map((c) => order.slice(Math.floor((c * n) / clients), Math.floor(((c + 1) * n) / clients)));
}

/** Splits `items` into consecutive pieces proportional to `weights` (cumulative rounding). */
function splitByWeights<T>(items: readonly T[], weights: readonly number[]): T[][] {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  let start = 0;
  return weights.map((w) => {
    acc += w;
    const end = total > 0 ? Math.round((acc / total) * items.length) : 0;
    const piece = items.slice(start, end);
    start = end;
    return piece;
  });
}

/** One draw: per class, Dirichlet(alpha) proportions over clients cut that class's samples. */
function drawDirichlet(groups: readonly number[][], alpha: number, clients: number, rng: SeededRandom): number[][] {
  const parts: number[][] = range(clients).map(() => []);
  for (const group of groups) {
    const shuffled = shuffleInPlace(group.slice(), rng);
    splitByWeights(shuffled, rng.dirichlet(alpha, clients)).forEach((piece, c) => parts[c]!.push(...piece));
  }
  return parts;
}

/**
 * Label-skewed split (Hsu et al. 2019): redraws until every client has the minimum; if draws keep
 * failing (tiny alpha, many clients), tops up the short clients with random samples taken from
 * the largest client.
 */
function partitionDirichlet(ds: LabelledSet, alpha: number, clients: number, rng: SeededRandom): number[][] {
  const groups = indicesByClass(ds);
  const minimum = Math.min(DIRICHLET_MIN_SAMPLES, Math.floor(ds.n / clients));
  let parts = drawDirichlet(groups, alpha, clients, rng);
  for (let tries = 1; tries < DIRICHLET_REDRAWS && parts.some((p) => p.length < minimum); tries++) {
    parts = drawDirichlet(groups, alpha, clients, rng);
  }
  topUp(parts, minimum, rng);
  return parts;
}

/** Moves random samples from the largest client to each client below `minimum`. */
function topUp(parts: number[][], minimum: number, rng: SeededRandom): void {
  for (const short of parts) {
    while (short.length < minimum) {
      const largest = parts.reduce((a, b) => (b.length > a.length ? b : a));
      const at = rng.int(largest.length);
      short.push(largest[at]!);
      largest[at] = largest[largest.length - 1]!;
      largest.pop();
    }
  }
}

/**
 * Each client holds K distinct classes: classes are shuffled into a ring and client i takes K
 * consecutive ones from position i*K, so all classes are covered once clients * K >= classes.
 * A class's samples are split evenly over the clients holding it.
 */
function partitionClasses(ds: LabelledSet, k: number, clients: number, rng: SeededRandom): number[][] {
  if (k > ds.classes) throw new InvalidArgumentError(`partition classes:${k}: ${ds.name} has only ${ds.classes} classes`);
  const ring = shuffleInPlace(range(ds.classes), rng);
  const holders: number[][] = range(ds.classes).map(() => []);
  for (let c = 0; c < clients; c++) {
    for (let j = 0; j < k; j++) holders[ring[(c * k + j) % ds.classes]!]!.push(c);
  }
  const parts: number[][] = range(clients).map(() => []);
  indicesByClass(ds).forEach((group, cls) => {
    const owners = holders[cls]!;
    if (owners.length === 0) return;
    const shuffled = shuffleInPlace(group.slice(), rng);
    splitByWeights(
      shuffled,
      owners.map(() => 1),
    ).forEach((piece, j) => parts[owners[j]!]!.push(...piece));
  });
  return parts;
}
