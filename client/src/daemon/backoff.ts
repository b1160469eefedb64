/**
 * Jittered exponential backoff for reconnecting to the coordinator. Jitter spreads a fleet's
 * reconnects after a coordinator restart so they do not arrive as one burst; the cap keeps an
 * edge device retrying at a useful pace however long the outage lasts.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { seededUniform } from '@flexmoe/shared';

/** Backoff options; every field has a documented default. */
export interface BackoffOptions {
  /** First delay before jitter, ms (default 250). */
  initialMs?: number;
  /** Upper bound of any delay, ms (default 15000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Fraction of the delay that is randomised, 0..1 (default 0.5): delay in [base(1-j), base]. */
  jitter?: number;
  /** Seed of the jitter stream, so a schedule can be reproduced (default: from the clock). */
  seed?: number;
}

/** A backoff schedule: `next()` gives the next delay, `reset()` after a success. */
export interface Backoff {
  /** The delay to wait before the next attempt, ms. */
  next(): number;
  /** Starts over from the initial delay (call after a successful connection). */
  reset(): void;
  /** Attempts since the last reset. */
  readonly attempts: number;
}

/** Mulberry32: a tiny, well-distributed seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  return seededUniform(seed);
}

function validated(options: BackoffOptions): Required<BackoffOptions> {
  const o = {
    initialMs: options.initialMs ?? 250,
    maxMs: options.maxMs ?? 15000,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 0.5,
    seed: options.seed ?? Date.now() ^ (process.pid << 8),
  };
  if (!(o.initialMs > 0)) throw new InvalidArgumentError(`backoff initialMs must be > 0, got ${o.initialMs}`);
  if (!(o.maxMs >= o.initialMs)) throw new InvalidArgumentError(`backoff maxMs must be >= initialMs, got ${o.maxMs}`);
  if (!(o.factor >= 1)) throw new InvalidArgumentError(`backoff factor must be >= 1, got ${o.factor}`);
  if (!(o.jitter >= 0 && o.jitter <= 1)) throw new InvalidArgumentError(`backoff jitter must be in [0, 1], got ${o.jitter}`);
  return o;
}

/** Creates a backoff schedule: attempt n waits base_n * (1 - jitter * u), base_n = min(max, initial * factor^n). */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const o = validated(options);
  const random = seededRandom(o.seed);
  let attempts = 0;
  return {
    next(): number {
      const base = Math.min(o.maxMs, o.initialMs * Math.pow(o.factor, attempts));
      attempts += 1;
      return base * (1 - o.jitter * random());
    },
    reset(): void {
      attempts = 0;
    },
    get attempts(): number {
      return attempts;
    },
  };
}
