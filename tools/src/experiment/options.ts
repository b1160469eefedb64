/**
 * Command-line options of `flexmoe fleet` and `flexmoe experiment` (they share the run options),
 * and their translation into validated fleet configurations.
 */
import * as path from 'node:path';
import { backboneLayouts, ConfigError, LOCAL_OPTIMIZER_OPTIONS, resolveLocalRecipe, type CommandSpec, type OptionValues } from '@flexmoe/shared';
import { parseDataSpec, parsePartitionSpec } from '@flexmoe/ml/data';
import { FITNESS_SIGNALS, strategyRegistry } from '@flexmoe/server';
import type { FleetConfig, FleetTuning } from './fleet-config';

/** `--help` text naming the registered strategies, read when help is printed (after any plugins registered theirs). */
const strategyHelp = (): string => `registered: ${strategyRegistry.names().join(', ')}`;

/** Options every fleet run takes (data, model size, client training, algorithm knobs). */
const RUN_OPTIONS = {
  data: { type: 'string', arg: 'SPEC', default: 'fashion-mnist', help: 'data: fashion-mnist, idx:IMAGES,LABELS, csv:FILE, cifar10:DIR' },
  partition: { type: 'string', arg: 'P', default: 'dirichlet:0.3', help: 'partition over clients: iid, dirichlet:ALPHA, classes:K' },
  experts: { type: 'integer', min: 1, max: 1024, default: 8, help: 'number of experts E' },
  capacity: { type: 'integer', arg: 'K', min: 1, default: 2, help: 'experts each client holds (k_c)' },
  epochs: { type: 'integer', min: 1, default: 1, help: 'local epochs per round' },
  lr: { type: 'number', min: 0, help: "peak learning rate of the clients' local steps (default per backbone: 0.002 for resnet with adam, 0.05 with sgd)" },
  ...LOCAL_OPTIMIZER_OPTIONS,
  batchSize: { type: 'integer', min: 1, default: 32, help: 'client minibatch size' },
  maxSamples: { type: 'integer', arg: 'N', min: 0, default: 0, help: "cap on each client's training samples, 0 = none (test split shrinks in step)" },
  beta: { type: 'number', min: 0, max: 1, help: 'EMA weight of the fitness update (coordinator default 0.5)' },
  delta: { type: 'number', min: 0, max: 1, help: 'load slack around the balanced share (coordinator default 0.1)' },
  gamma: { type: 'number', min: 0, help: 'weight of the historical load deficit (coordinator default 0.1)' },
  fitnessSignal: {
    type: 'string',
    choices: FITNESS_SIGNALS,
    help: "fitness signal s_ce (coordinator default expert-loss: each expert's own loss on its routed samples)",
  },
  exploreAfter: {
    type: 'integer',
    arg: 'ROUNDS',
    min: 0,
    help: 'raise Q of a pair unassigned this many rounds back to q0, 0 = never (coordinator default 10)',
  },
  fitnessNormalize: { type: 'boolean', help: "normalise each client's scores of a round by their mean (coordinator default on; --no-fitness-normalize: raw)" },
  alphaL: { type: 'number', min: 0, help: 'alpha_L of the loss signal exp(-alpha_L l) (coordinator default 1)' },
  backbone: {
    type: 'string',
    choices: () => backboneLayouts.names(),
    help: 'backbone, a registered one (coordinator default mlp)',
  },
  topR: {
    type: 'integer',
    min: 1,
    help: 'routing top-r, capped at the experts assigned (coordinator default 1; r >= capacity shares the per-expert feedback)',
  },
  expertWidth: { type: 'integer', arg: 'H', min: 1, help: 'hidden width of each expert (coordinator default 64)' },
  featureWidth: { type: 'integer', arg: 'F', min: 1, help: 'backbone output (feature) width (coordinator default 128)' },
  globalTest: {
    type: 'integer',
    arg: 'N',
    min: 0,
    default: 2000,
    help: 'size of the class-balanced global test set every client scores its model on (0 = off)',
  },
  roundDeadline: { type: 'number', arg: 'SECONDS', min: 1, default: 300, help: 'coordinator round deadline' },
  grace: { type: 'number', arg: 'SECONDS', min: 0, default: 10, help: 'on shutdown, time between SIGTERM and SIGKILL' },
  json: { type: 'string', arg: 'FILE', help: 'also write the results JSON here' },
} as const;

/** `flexmoe fleet` (defaults: a small Fashion-MNIST fleet that finishes in about two minutes). */
export const FLEET_COMMAND = {
  name: 'fleet',
  summary:
    'Run a coordinator and N client daemons as separate processes over loopback gRPC on one simulated ' +
    'partition; print one line per round and a final summary; write the results JSON and logs to --out.',
  options: {
    clients: { type: 'integer', arg: 'N', min: 1, max: 256, default: 4, help: 'client daemons' },
    rounds: { type: 'integer', arg: 'R', min: 1, default: 10, help: 'rounds' },
    strategy: {
      type: 'string',
      default: 'flexmoe',
      help: () => `assignment strategy (${strategyHelp()})`,
    },
    seed: { type: 'integer', min: 0, default: 1, help: 'run seed (also the partition seed unless --data-seed)' },
    dataSeed: { type: 'integer', min: 0, help: 'seed of the partition and held-out splits (default: --seed)' },
    ...RUN_OPTIONS,
    maxSamples: { ...RUN_OPTIONS.maxSamples, default: 6000 },
    out: { type: 'string', arg: 'DIR', default: 'flexmoe-fleet', help: 'directory for logs, state and results.json' },
  },
} as const satisfies CommandSpec;

/** `flexmoe experiment` (defaults: the FLEX-MoE comparison of the specification). */
export const EXPERIMENT_COMMAND = {
  name: 'experiment',
  summary:
    'Run each strategy with each seed as a local fleet on the same partition (one after another), print ' +
    'the comparison table, and write results.json, the table and SVG plots to --out.',
  options: {
    clients: { type: 'integer', arg: 'N', min: 1, max: 256, default: 10, help: 'client daemons per fleet' },
    rounds: { type: 'integer', arg: 'R', min: 1, default: 20, help: 'rounds per fleet' },
    strategies: {
      type: 'list',
      default: ['flexmoe', 'balanced', 'greedy', 'random'],
      help: () => `strategies to compare (${strategyHelp()})`,
    },
    seeds: { type: 'list', default: ['1', '2', '3'], help: 'run seeds (initial weights, sampling, tie-breaking)' },
    dataSeed: { type: 'integer', min: 0, default: 1, help: 'seed of the partition, the same for every run' },
    ...RUN_OPTIONS,
    fresh: { type: 'boolean', default: false, help: 'run everything again instead of keeping finished runs of the same setup in --out' },
    out: { type: 'string', arg: 'DIR', default: 'flexmoe-experiment', help: 'directory for runs, logs, results.json, table.md and plots' },
  },
} as const satisfies CommandSpec;

type RunValues = OptionValues<typeof FLEET_COMMAND> | OptionValues<typeof EXPERIMENT_COMMAND>;

function checkSpecs(o: RunValues): void {
  for (const name of 'strategies' in o ? o.strategies : [o.strategy]) {
    try {
      strategyRegistry.check(name);
    } catch (err) {
      throw new ConfigError(`--${'strategies' in o ? 'strategies' : 'strategy'}: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    parseDataSpec(o.data);
  } catch (err) {
    throw new ConfigError(`--data: ${(err as Error).message}`, { cause: err });
  }
  try {
    parsePartitionSpec(o.partition);
  } catch (err) {
    throw new ConfigError(`--partition: ${(err as Error).message}`, { cause: err });
  }
  if (o.capacity > o.experts) throw new ConfigError(`--capacity ${o.capacity} exceeds --experts ${o.experts}`);
  resolveLocalRecipe(o.backbone ?? 'mlp', o, '--lr');
  checkClassesPartition(o.partition, knownClassCount(o.data));
}

/** Classes of the data specs whose class count is fixed (the others are checked once loaded). */
function knownClassCount(data: string): number | undefined {
  const kind = parseDataSpec(data).kind;
  return kind === 'fashion-mnist' || kind === 'cifar10' ? 10 : undefined;
}

/** `classes:K` needs K <= the data's class count; a ConfigError names --partition. */
export function checkClassesPartition(partition: string, classes: number | undefined): void {
  const spec = parsePartitionSpec(partition);
  if (spec.kind === 'classes' && classes !== undefined && spec.k > classes) {
    throw new ConfigError(`--partition: classes:${spec.k} asks for more classes per client than the data has (${classes})`);
  }
}

function tuning(o: RunValues): FleetTuning {
  return {
    beta: o.beta,
    delta: o.delta,
    gamma: o.gamma,
    fitnessSignal: o.fitnessSignal,
    alphaL: o.alphaL,
    topR: o.topR,
    backbone: o.backbone,
    expertWidth: o.expertWidth,
    featureWidth: o.featureWidth,
    exploreAfter: o.exploreAfter,
    fitnessNormalize: o.fitnessNormalize,
  };
}

/** A fleet configuration from validated options; `run` picks the strategy, seeds and out dir. */
export function fleetConfig(o: RunValues, run: { strategy: string; seed: number; dataSeed: number; outDir: string }): FleetConfig {
  checkSpecs(o);
  return Object.freeze({
    clients: o.clients,
    data: o.data,
    partition: o.partition,
    rounds: o.rounds,
    strategy: run.strategy,
    experts: o.experts,
    capacity: o.capacity,
    seed: run.seed,
    dataSeed: run.dataSeed,
    epochs: o.epochs,
    lr: o.lr,
    optimizer: o.optimizer,
    momentum: o.momentum,
    schedule: o.schedule,
    warmup: o.warmup,
    batchSize: o.batchSize,
    maxSamples: o.maxSamples > 0 ? o.maxSamples : undefined,
    globalTest: o.globalTest > 0 ? o.globalTest : undefined,
    tuning: Object.freeze(tuning(o)),
    roundDeadline: o.roundDeadline,
    outDir: path.resolve(run.outDir),
    graceMs: Math.round(o.grace * 1000),
    pollMs: 250,
  });
}

/** `--seeds 1,2,3` as integers; a ConfigError names a bad item. */
export function parseSeeds(items: readonly string[]): number[] {
  return items.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--seeds: '${s}' is not a non-negative integer`);
    return n;
  });
}
