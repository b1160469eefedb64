/**
 * Parsing of the `--partition` and `--shard` option strings, with errors that say what is wrong.
 */
import { InvalidArgumentError } from '@flexmoe/shared';

/** How training data is split over simulated clients. */
export type PartitionSpec = { kind: 'iid' } | { kind: 'dirichlet'; alpha: number } | { kind: 'classes'; k: number };

/** Which share a client takes: `index` in `0..count-1` of `count` clients. */
export interface ShardRef {
  /** Zero-based client index. */
  index: number;
  /** Number of clients the data is split over. */
  count: number;
}

const PARTITION_USAGE = 'expected iid, dirichlet:ALPHA (ALPHA > 0) or classes:K (integer K >= 1)';

const isDecimal = (s: string): boolean => /^\s*[+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s);

/** Parses `iid`, `dirichlet:ALPHA` or `classes:K`. */
export function parsePartitionSpec(text: string): PartitionSpec {
  const spec = text.trim();
  const [kind, arg, extra] = spec.split(':');
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError(`partition '${text}': ${why}; ${PARTITION_USAGE}`);
  if (extra !== undefined) throw bad('too many parts');
  if (kind === 'iid') {
    if (arg !== undefined) throw bad('iid takes no argument');
    return { kind: 'iid' };
  }
  if (kind === 'dirichlet') {
    const alpha = arg !== undefined && isDecimal(arg) ? Number(arg) : NaN;
    if (!(alpha > 0 && Number.isFinite(alpha))) throw bad(`ALPHA must be a positive number, got '${arg ?? ''}'`);
    return { kind: 'dirichlet', alpha };
  }
  if (kind === 'classes') {
    const k = arg !== undefined && /^\s*\d+\s*$/.test(arg) ? Number(arg) : NaN;
    if (!(k >= 1)) throw bad(`K must be an integer >= 1, got '${arg ?? ''}'`);
    return { kind: 'classes', k };
  }
  throw bad(`unknown partition kind '${kind ?? ''}'`);
}

/** Parses `I/N` (zero-based I, 0 <= I < N). */
export function parseShard(text: string): ShardRef {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`shard '${text}': expected I/N with integers, e.g. 0/10`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new InvalidArgumentError(`shard '${text}': client count N must be at least 1`);
  if (index >= count) {
    throw new InvalidArgumentError(`shard '${text}': index I must be in 0..${count - 1} (zero-based)`);
  }
  return { index, count };
}

/** Canonical text of a partition spec (as accepted by `parsePartitionSpec`). */
export function formatPartitionSpec(spec: PartitionSpec): string {
  if (spec.kind === 'iid') return 'iid';
  return spec.kind === 'dirichlet' ? `dirichlet:${spec.alpha}` : `classes:${spec.k}`;
}
