/**
 * `flexmoe train`: central training of the whole MoE (every expert assigned) on one machine, the
 * reference every federated run is compared with. One progress line per epoch; optional JSON
 * results and inference-model export.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseCommand, type CommandSpec } from '@flexmoe/shared';
import { loadDataSpec } from '@flexmoe/ml/data';
import { seededShuffle } from '@flexmoe/shared';
import { subset } from '@flexmoe/ml/data';
import type { Dataset } from '@flexmoe/ml/data';
import { createLogger } from '@flexmoe/shared';
import { backboneLayouts, defaultModelConfig, MODEL_DEFAULTS, type MoEConfig } from '@flexmoe/shared';
import { initParameters } from '@flexmoe/shared';
import { lrFactor, resolveRecipe, Trainer, type LrSchedule, type TrainRecipe } from '@flexmoe/ml/training';
import { writeFileAtomic } from '@flexmoe/shared';
import type { EvaluateResult } from '@flexmoe/ml/training';

/** The options of `flexmoe train`. */
export const TRAIN_COMMAND = {
  name: 'train',
  summary: 'Central training of the whole MoE (all experts assigned) on one machine: the reference.',
  options: {
    data: { type: 'string', arg: 'SPEC', default: 'fashion-mnist', help: 'data spec: fashion-mnist, idx:IMAGES,LABELS, csv:FILE, cifar10:DIR' },
    backbone: {
      type: 'string',
      default: 'mlp',
      choices: () => backboneLayouts.names(),
      help: 'feature extractor (a registered backbone)',
    },
    epochs: { type: 'integer', default: 5, min: 1, help: 'passes over the training set' },
    experts: { type: 'integer', default: MODEL_DEFAULTS.experts, min: 1, help: 'number of experts E' },
    topR: { type: 'integer', default: 2, min: 1, help: 'experts each sample is routed to (central training keeps top-2; the federated default is 1)' },
    auxWeight: { type: 'number', default: MODEL_DEFAULTS.auxWeight, min: 0, help: 'weight of the load-balancing loss' },
    batchSize: { type: 'integer', default: 64, min: 1, help: 'minibatch size' },
    optimizer: { type: 'string', choices: ['sgd', 'adam'], help: 'update rule (default per backbone: adam for resnet, sgd for mlp and cnn)' },
    lr: { type: 'number', min: 0, help: 'peak learning rate (default per backbone: 0.002 for resnet with adam, 0.2 with sgd)' },
    momentum: { type: 'number', min: 0, help: 'SGD momentum (default 0)' },
    schedule: {
      type: 'string',
      choices: ['epoch', 'step'],
      help: 'epoch: cosine per epoch to 10%; step: warm-up, then per-step cosine to 0 (default: step for resnet, epoch otherwise)',
    },
    warmup: { type: 'integer', min: 0, help: 'linear warm-up steps of the step schedule (default 100 for resnet, 0 otherwise)' },
    lrDecay: { type: 'boolean', default: true, help: 'cosine learning-rate decay over the run (--no-lr-decay: constant after warm-up)' },
    seed: { type: 'integer', default: 0, help: 'seed of initialisation and shuffles' },
    threads: { type: 'integer', default: 1, min: 1, help: 'ONNX Runtime intra-op threads' },
    maxSamples: { type: 'integer', min: 1, help: 'train on at most N samples (seeded subset)' },
    maxTestSamples: { type: 'integer', min: 1, help: 'evaluate on at most N test samples' },
    json: { type: 'string', arg: 'FILE', help: 'write results as JSON' },
    export: { type: 'string', arg: 'MODEL.onnx', help: 'write the trained inference model' },
    logLevel: { type: 'string', default: 'warn', choices: ['debug', 'info', 'warn', 'error', 'silent'], help: 'log level (logs go to stderr)' },
  },
} as const satisfies CommandSpec;

/** One epoch's figures in the JSON results. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  testAccuracy: number;
  testLoss: number;
  lr: number;
  samplesPerSecond: number;
  seconds: number;
}

/** Entry point of `flexmoe train`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(TRAIN_COMMAND, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const o = parsed.options;
  const logger = createLogger({ level: o.logLevel }).child({ component: 'train' });
  const { train, test } = await loadData(o.data, o.seed, o.maxSamples, o.maxTestSamples);
  const model = defaultModelConfig({
    backbone: o.backbone as MoEConfig['backbone'],
    inputShape: train.shape,
    classes: train.classes,
    experts: o.experts,
    topR: o.topR,
    auxWeight: o.auxWeight,
  });
  const recipe = resolveRecipe(model.backbone, o);
  logger.info({ train: train.n, test: test.n, model, recipe }, 'central training');
  console.log(describeRecipe(recipe, o.lrDecay));
  const trainer = await Trainer.create({ model, threads: o.threads });
  try {
    const assigned = Array.from({ length: model.experts }, (_, e) => e);
    let params = initParameters(model, o.seed);
    const epochs: EpochRecord[] = [];
    let lastEval: EvaluateResult | null = null;
    const optimizer = { kind: recipe.optimizer, momentum: recipe.momentum };
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const { lr, lrSchedule } = epochRates(recipe, o, epoch, Math.ceil(train.n / o.batchSize));
      const r = await trainer.train({ params, assigned, data: train, epochs: 1, lr, lrSchedule, optimizer, batchSize: o.batchSize, seed: o.seed + epoch - 1 });
      params = r.params;
      lastEval = await trainer.evaluate({ params, assigned, data: test });
      epochs.push({
        epoch,
        loss: r.loss,
        accuracy: r.accuracy,
        testAccuracy: lastEval.accuracy,
        testLoss: lastEval.loss,
        lr: lrSchedule ? lr * lrFactor(lrSchedule, lrSchedule.startStep) : lr,
        samplesPerSecond: r.samplesPerSecond,
        seconds: r.seconds,
      });
      console.log(formatEpoch(epochs[epochs.length - 1], o.epochs));
    }
    if (o.export) {
      await fs.mkdir(path.dirname(path.resolve(o.export)), { recursive: true });
      await trainer.exportInference({ params, assigned, file: o.export });
    }
    const summary = summarise({ ...o, recipe }, model, train, test, epochs, lastEval!);
    console.log(`test accuracy ${summary.testAccuracy.toFixed(4)}  ${Math.round(summary.samplesPerSecond)} samples/s${o.export ? `  model ${o.export}` : ''}`);
    if (o.json) await writeJson(o.json, summary);
    return 0;
  } finally {
    await trainer.close();
  }
}

/**
 * The rate of one epoch's train call: for the epoch schedule one rate (cosine over the epochs),
 * for the step schedule the peak and where this epoch sits in the run's per-step schedule.
 */
function epochRates(
  recipe: TrainRecipe,
  o: { lrDecay: boolean; epochs: number },
  epoch: number,
  stepsPerEpoch: number,
): { lr: number; lrSchedule?: LrSchedule } {
  if (recipe.schedule === 'epoch') return { lr: o.lrDecay ? cosineLr(recipe.lr, epoch, o.epochs) : recipe.lr };
  const lrSchedule = {
    startStep: (epoch - 1) * stepsPerEpoch,
    totalSteps: o.epochs * stepsPerEpoch,
    warmupSteps: Math.min(recipe.warmupSteps, o.epochs * stepsPerEpoch),
    floor: o.lrDecay ? recipe.floor : 1,
  };
  return { lr: recipe.lr, lrSchedule };
}

/** One line naming the update rule and schedule, e.g. `adam, lr 0.002, 100 warm-up steps, per-step cosine to 0`. */
export function describeRecipe(r: TrainRecipe, decay: boolean): string {
  const rule = r.optimizer === 'sgd' && r.momentum > 0 ? `sgd (momentum ${r.momentum})` : r.optimizer;
  if (r.schedule === 'epoch') return `${rule}, lr ${r.lr}${decay ? ', cosine per epoch to 10%' : ''}`;
  const warm = r.warmupSteps > 0 ? `, ${r.warmupSteps} warm-up steps` : '';
  return `${rule}, lr ${r.lr}${warm}${decay ? `, per-step cosine to ${r.floor}` : ''}`;
}

/** Cosine decay from `lr` (first epoch) to 10% of it (last epoch). */
export function cosineLr(lr: number, epoch: number, epochs: number): number {
  if (epochs <= 1) return lr;
  const t = (epoch - 1) / (epochs - 1);
  return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

async function loadData(spec: string, seed: number, maxTrain?: number, maxTest?: number): Promise<{ train: Dataset; test: Dataset }> {
  const { train, test } = await loadDataSpec(spec, { seed });
  return { train: limit(train, seed, maxTrain), test: limit(test, seed, maxTest) };
}

/** A seeded subset of at most `max` samples (the whole set when it is small enough). */
function limit(ds: Dataset, seed: number, max?: number): Dataset {
  if (max === undefined || max >= ds.n) return ds;
  const picked = seededShuffle(
    Array.from({ length: ds.n }, (_, i) => i),
    seed,
    'max-samples',
  ).slice(0, max);
  return subset(ds, picked, `${ds.name}[${max}]`);
}

function formatEpoch(e: EpochRecord, total: number): string {
  return [
    `epoch ${e.epoch}/${total}`,
    `loss ${e.loss.toFixed(4)}`,
    `train acc ${e.accuracy.toFixed(4)}`,
    `test acc ${e.testAccuracy.toFixed(4)}`,
    `${Math.round(e.samplesPerSecond)} samples/s`,
  ].join('  ');
}

function summarise(
  o: { data: string; batchSize: number; seed: number; recipe: TrainRecipe },
  model: MoEConfig,
  train: Dataset,
  test: Dataset,
  epochs: EpochRecord[],
  finalEval: EvaluateResult,
): Record<string, unknown> & { testAccuracy: number; samplesPerSecond: number } {
  const seconds = epochs.reduce((s, e) => s + e.seconds, 0);
  return {
    command: 'train',
    data: o.data,
    trainSamples: train.n,
    testSamples: test.n,
    model,
    batchSize: o.batchSize,
    lr: o.recipe.lr,
    recipe: o.recipe,
    seed: o.seed,
    testAccuracy: finalEval.accuracy,
    testLoss: finalEval.loss,
    experts: finalEval.experts,
    epochs,
    samplesPerSecond: (train.n * epochs.length) / seconds,
    trainSeconds: seconds,
  };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
