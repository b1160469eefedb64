/**
 * Proofs that the load bounds cannot all hold. An answer may only be `elastic` (carry bound
 * violation) with one of these reasons, or with the exact MIP's proved least violation; anything
 * else is a feasible instance the search must repair. Each check is a necessary condition of
 * feasibility, so a reason is a proof, never a guess.
 */
import type { Instance } from './instance';

/** Float noise tolerated in fractional bounds (in samples). */
const EPS = 1e-9;
/** The subset-sum check runs when clients x total samples stays below this (bitset work). */
const SUBSET_SUM_MAX_WORK = 1 << 27;

/** Why the bounds cannot all hold, or null when none of the checks proves it. */
export function infeasibilityReason(inst: Instance): string | null {
  return sumReason(inst) ?? clientReason(inst) ?? coverReason(inst) ?? granularityReason(inst);
}

function totalPlaced(inst: Instance): number {
  let total = 0;
  for (let c = 0; c < inst.clients; c++) total += inst.samples[c] * inst.capacity[c];
  return total;
}

/** Every client places n_c on k_c experts: the bounds must admit that total. */
function sumReason(inst: Instance): string | null {
  const total = totalPlaced(inst);
  let lower = 0;
  let upper = 0;
  for (let e = 0; e < inst.experts; e++) {
    lower += inst.lower[e];
    upper += inst.upper[e];
  }
  if (lower > total + EPS) return `the lower bounds sum to ${fmt(lower)} samples, above the ${fmt(total)} the clients place in total`;
  if (upper < total - EPS) return `the upper bounds sum to ${fmt(upper)} samples, below the ${fmt(total)} the clients place in total`;
  return null;
}

/** Client c needs k_c distinct experts whose upper bound admits its n_c samples. */
function clientReason(inst: Instance): string | null {
  const { clients: C, experts: E, samples, capacity, upper } = inst;
  for (let c = 0; c < C; c++) {
    let room = 0;
    for (let e = 0; e < E; e++) if (upper[e] >= samples[c] - EPS) room++;
    if (room < capacity[c]) {
      return `client ${c} must place ${fmt(samples[c])} samples on ${capacity[c]} experts, but only ${room} upper bounds are that high`;
    }
  }
  return null;
}

/**
 * Expert e needs at least m_e clients to reach L(e) (its m_e largest n_c); a client counts towards
 * at most k_c experts, so the m_e together cannot exceed sum_c k_c.
 */
function coverReason(inst: Instance): string | null {
  const { clients: C, experts: E, samples, capacity, lower } = inst;
  const sizes = Array.from(samples)
    .filter((n) => n > 0)
    .sort((a, b) => b - a);
  const prefix = [0];
  for (const n of sizes) prefix.push(prefix[prefix.length - 1] + n);
  let slots = 0;
  for (let c = 0; c < C; c++) if (samples[c] > 0) slots += capacity[c];
  let needed = 0;
  for (let e = 0; e < E; e++) {
    if (lower[e] <= EPS) continue;
    if (prefix[prefix.length - 1] < lower[e] - EPS) {
      return `expert ${e} needs ${fmt(lower[e])} samples but all clients together hold ${fmt(prefix[prefix.length - 1])}`;
    }
    let m = 1;
    while (prefix[m] < lower[e] - EPS) m++;
    needed += m;
  }
  return needed > slots ? `the lower bounds need at least ${needed} client-expert pairs but the clients have ${slots}` : null;
}

/**
 * An expert's load is a sum of distinct clients' n_c. With integer sizes, the reachable loads are
 * multiples of their gcd, and (when small enough to enumerate) exactly the subset sums.
 */
function granularityReason(inst: Instance): string | null {
  const { experts: E, lower, upper } = inst;
  const sizes = Array.from(inst.samples).filter((n) => n > 0);
  if (sizes.length === 0 || !sizes.every(Number.isInteger)) return null;
  const g = sizes.reduce(gcd);
  for (let e = 0; e < E; e++) {
    if (Math.ceil(lower[e] / g - EPS) * g > upper[e] + EPS) {
      const unit = g === 1 ? 'a whole number of samples' : `a multiple of ${g} (the gcd of the client sizes)`;
      return `expert ${e}'s load is ${unit}, and none lies in [${fmt(lower[e])}, ${fmt(upper[e])}]`;
    }
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (sizes.length * total > SUBSET_SUM_MAX_WORK) return null;
  const reachable = subsetSums(sizes, total);
  for (let e = 0; e < E; e++) {
    if (!anyIn(reachable, Math.ceil(lower[e] - EPS), Math.floor(upper[e] + EPS))) {
      return `no subset of the client sizes sums into expert ${e}'s bounds [${fmt(lower[e])}, ${fmt(upper[e])}]`;
    }
  }
  return null;
}

/** reachable[s] = 1 when some subset of `sizes` sums to s. */
function subsetSums(sizes: number[], total: number): Uint8Array {
  const reachable = new Uint8Array(total + 1);
  reachable[0] = 1;
  let top = 0;
  for (const n of sizes) {
    for (let s = top; s >= 0; s--) if (reachable[s]) reachable[s + n] = 1;
    top += n;
  }
  return reachable;
}

function anyIn(reachable: Uint8Array, lo: number, hi: number): boolean {
  for (let s = Math.max(0, lo); s <= Math.min(hi, reachable.length - 1); s++) if (reachable[s]) return true;
  return false;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
