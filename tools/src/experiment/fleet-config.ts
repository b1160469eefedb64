/**
 * What one local fleet runs: the data and partition, the run (strategy, rounds, model size,
 * seeds), the client training parameters and the algorithm knobs passed to the coordinator.
 */
import { resolveLocalRecipe, type LocalRecipe } from '@flexmoe/shared';
import { loopbackServerArgs } from '../loopback';

/** Coordinator knobs a fleet may override (undefined = the coordinator's default). */
export interface FleetTuning {
  readonly beta?: number;
  readonly delta?: number;
  readonly gamma?: number;
  readonly fitnessSignal?: string;
  readonly alphaL?: number;
  /** Routing top-r (experts each sample goes to, capped at those assigned). */
  readonly topR?: number;
  /** Backbone kind (`mlp` or `cnn`). */
  readonly backbone?: string;
  /** Hidden width of each expert. */
  readonly expertWidth?: number;
  /** Backbone output (feature) width. */
  readonly featureWidth?: number;
  /** Rounds before an unassigned pair's Q is raised back to q0 (0 = never). */
  readonly exploreAfter?: number;
  /** Normalise each client's scores of a round (false: raw scores). */
  readonly fitnessNormalize?: boolean;
}

/** What the model must fit: the data's per-sample shape and class count. */
export interface DataShape {
  readonly shape: readonly [number, number, number];
  readonly classes: number;
}

/** One fleet run. */
export interface FleetConfig {
  readonly clients: number;
  readonly data: string;
  readonly partition: string;
  readonly rounds: number;
  readonly strategy: string;
  readonly experts: number;
  readonly capacity: number;
  /** Run seed: initial weights, sampling, tie-breaking. */
  readonly seed: number;
  /** Seed of the partition and held-out splits (experiments keep it fixed across run seeds). */
  readonly dataSeed: number;
  readonly epochs: number;
  /** The clients' local recipe: peak rate, `--optimizer`, `--momentum`, `--schedule`, `--warmup` (undefined: the backbone's default). */
  readonly lr?: number;
  readonly optimizer?: string;
  readonly momentum?: number;
  readonly schedule?: string;
  readonly warmup?: number;
  readonly batchSize: number;
  readonly maxSamples?: number;
  /** Size of the class-balanced global test set each client scores its model on (absent: none). */
  readonly globalTest?: number;
  readonly tuning: FleetTuning;
  /** Coordinator round deadline, seconds. */
  readonly roundDeadline: number;
  /** Directory for logs, checkpoints, client state and results. */
  readonly outDir: string;
  /** SIGTERM-to-SIGKILL grace when stopping processes, ms. */
  readonly graceMs: number;
  /** Status poll interval, ms. */
  readonly pollMs: number;
  /** Shape and classes of the data (default: Fashion-MNIST's 1x28x28, 10 classes). */
  readonly dataShape?: DataShape;
}

/**
 * `flexmoe server` arguments for a fleet's coordinator (loopback, any free ports). It exits by
 * itself after the last round, so even a fleet killed outright leaves no coordinator running.
 */
export function serverArgs(c: FleetConfig, dataDir: string): string[] {
  const args = [
    'server',
    ...loopbackServerArgs(dataDir),
    '--strategy',
    c.strategy,
    '--rounds',
    String(c.rounds),
    '--experts',
    String(c.experts),
    '--seed',
    String(c.seed),
    '--fraction',
    '1',
    '--min-clients',
    String(c.clients),
    '--batch-size',
    String(c.batchSize),
    '--local-epochs',
    String(c.epochs),
    '--round-deadline',
    String(c.roundDeadline),
    '--drain-grace',
    '2',
  ];
  if (c.dataShape) args.push('--input-shape', c.dataShape.shape.join(','), '--classes', String(c.dataShape.classes));
  const t = c.tuning;
  const extra: Array<[string, number | string | undefined]> = [
    ['--learning-rate', c.lr],
    ['--optimizer', c.optimizer],
    ['--momentum', c.momentum],
    ['--schedule', c.schedule],
    ['--warmup', c.warmup],
    ['--beta', t.beta],
    ['--delta', t.delta],
    ['--gamma', t.gamma],
    ['--fitness-signal', t.fitnessSignal],
    ['--alpha-l', t.alphaL],
    ['--top-r', t.topR],
    ['--backbone', t.backbone],
    ['--expert-hidden', t.expertWidth],
    ['--feature-dim', t.featureWidth],
    ['--explore-after', t.exploreAfter],
  ];
  for (const [flag, v] of extra) if (v !== undefined) args.push(flag, String(v));
  if (t.fitnessNormalize === false) args.push('--no-fitness-normalize');
  return args;
}

/** The local recipe the fleet's coordinator will send (its backbone's default under the fleet's flags). */
export function localRecipeOf(c: FleetConfig): LocalRecipe {
  return resolveLocalRecipe(c.tuning.backbone ?? 'mlp', c, '--lr');
}

/** `flexmoe client` arguments for client `index` of a fleet. */
export function clientArgs(c: FleetConfig, index: number, address: string, stateDir: string): string[] {
  const args = [
    'client',
    '--server',
    address,
    '--data',
    c.data,
    '--partition',
    c.partition,
    '--shard',
    `${index}/${c.clients}`,
    '--seed',
    String(c.dataSeed),
    '--capacity',
    String(c.capacity),
    '--id',
    clientId(index),
    '--state-dir',
    stateDir,
    // The daemons share this machine's cores: one intra-op thread each (a daemon's default is all cores).
    '--threads',
    '1',
  ];
  if (c.maxSamples !== undefined) args.push('--max-samples', String(c.maxSamples));
  if (c.globalTest !== undefined) args.push('--global-test', String(c.globalTest));
  return args;
}

/** The id of client `index` (stable across runs so Q rows and logs line up). */
export function clientId(index: number): string {
  return `client-${String(index).padStart(2, '0')}`;
}
