/**
 * Seeded distributions for simulated fleets, written as short specs on the command line:
 * `fixed:V`, `uniform:A,B` (integers A..B inclusive) and `lognormal:MU,SIGMA` (exp of a normal,
 * as data sizes of real device fleets tend to be). Parsed once at the edge; bad specs throw a
 * ConfigError naming the option.
 */
import { ConfigError } from '@flexmoe/shared';
import { SeededRandom } from '@flexmoe/shared';

/** A parsed distribution spec. */
export type DistributionSpec =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'lognormal'; readonly mu: number; readonly sigma: number };

function numbers(option: string, spec: string, text: string, count: number): number[] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== count || parts.some((v) => !Number.isFinite(v) || text.trim() === '')) {
    throw new ConfigError(`${option} '${spec}': expected ${count} number(s) after the colon`);
  }
  return parts;
}

/**
 * Parses `fixed:V`, `uniform:A,B` or `lognormal:MU,SIGMA`; `option` names the flag in errors.
 * A bare number is read as `fixed:V`.
 */
export function parseDistribution(option: string, spec: string): DistributionSpec {
  const trimmed = spec.trim();
  if (/^[0-9.]+$/.test(trimmed)) return parseDistribution(option, `fixed:${trimmed}`);
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const rest = colon < 0 ? '' : trimmed.slice(colon + 1);
  if (kind === 'fixed') {
    const [value] = numbers(option, spec, rest, 1);
    return { kind, value: value! };
  }
  if (kind === 'uniform') {
    const [low, high] = numbers(option, spec, rest, 2);
    if (low! > high!) throw new ConfigError(`${option} '${spec}': low ${low} exceeds high ${high}`);
    return { kind, low: low!, high: high! };
  }
  if (kind === 'lognormal') {
    const [mu, sigma] = numbers(option, spec, rest, 2);
    if (sigma! < 0) throw new ConfigError(`${option} '${spec}': sigma must be >= 0`);
    return { kind, mu: mu!, sigma: sigma! };
  }
  throw new ConfigError(`${option} '${spec}': unknown distribution '${kind}' (use fixed:V, uniform:A,B or lognormal:MU,SIGMA)`);
}

/** One draw, rounded to an integer and clamped to [min, max]. */
export function drawInteger(d: DistributionSpec, rng: SeededRandom, min: number, max: number): number {
  let x: number;
  if (d.kind === 'fixed') x = d.value;
  else if (d.kind === 'uniform') {
    const lo = Math.ceil(d.low);
    const span = Math.floor(d.high) - lo + 1;
    x = span > 0 ? lo + rng.int(span) : d.low;
  } else x = Math.exp(d.mu + d.sigma * rng.normal());
  return Math.min(max, Math.max(min, Math.round(x)));
}

/** `count` integer draws from one seeded stream, so the same seed gives the same fleet. */
export function drawFleet(d: DistributionSpec, count: number, seed: number, stream: string, min: number, max: number): number[] {
  const rng = new SeededRandom(seed, stream);
  return Array.from({ length: count }, () => drawInteger(d, rng, min, max));
}

/** The spec back as text (for reports). */
export function describeDistribution(d: DistributionSpec): string {
  if (d.kind === 'fixed') return `fixed:${d.value}`;
  if (d.kind === 'uniform') return `uniform:${d.low},${d.high}`;
  return `lognormal:${d.mu},${d.sigma}`;
}
