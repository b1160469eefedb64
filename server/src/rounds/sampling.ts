/** Seeded client sampling for a round: a fraction of the ready clients, at least min-clients. */
import { SeededRandom } from '@flexmoe/shared';

/**
 * Picks max(minClients, ceil(fraction * n)) of `ids` (capped at n) with a seeded shuffle, so the
 * same seed, round and attempt pick the same clients. The result is sorted.
 */
export function sampleClients(ids: readonly string[], fraction: number, minClients: number, seed: number, round: number, attempt: number): string[] {
  const sorted = [...ids].sort();
  const want = Math.min(sorted.length, Math.max(minClients, Math.ceil(fraction * sorted.length)));
  if (want >= sorted.length) return sorted;
  const rng = new SeededRandom(seed, `sample:${round}:${attempt}`);
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  return sorted.slice(0, want).sort();
}
