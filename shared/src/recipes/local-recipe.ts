/**
 * The local recipe a coordinator sends its clients: which update rule, peak rate and schedule
 * their local epochs use. Resolved once from the coordinator's flags (`--optimizer`,
 * `--learning-rate` / `--lr`, `--momentum`, `--schedule`, `--warmup`) over the backbone's
 * default, then turned into each round's learning rate and RoundTask.local_optimizer.
 */
import { ConfigError } from '../errors';
import { ADAM_CONSTANTS, TRAIN_RECIPES, type UpdateRule } from './train-recipes';
import { checkTaskOptimizer, type TaskOptimizer } from './task-optimizer';

/** What `--optimizer` accepts: `momentum` is SGD with heavy-ball momentum (default 0.9). */
export const LOCAL_OPTIMIZERS = Object.freeze(['sgd', 'momentum', 'adam'] as const);

/**
 * What `--schedule` accepts. `constant`: one rate for the whole run. `epoch`: one rate per round,
 * cosine from the peak (round 1) to 10% (last round), set by the coordinator. `step`: warm-up over
 * the run's first local steps, then a per-step cosine to the floor at the run's last local step.
 */
export const LOCAL_SCHEDULES = Object.freeze(['constant', 'epoch', 'step'] as const);

/** The update rule and schedule of a local recipe (the peak rate travels on its own). */
export interface LocalOptimizerSpec {
  readonly rule: UpdateRule;
  /** SGD heavy-ball momentum in [0, 1). */
  readonly momentum: number;
  readonly schedule: (typeof LOCAL_SCHEDULES)[number];
  readonly warmupSteps: number;
  /** Final rate as a fraction of the peak (epoch: 0.1; step: the backbone's floor or 0; constant: 1). */
  readonly floor: number;
}

/** A resolved local recipe (frozen): the optimizer and its peak learning rate. */
export interface LocalRecipe extends LocalOptimizerSpec {
  readonly lr: number;
}

/** Momentum of `--optimizer momentum` when `--momentum` is not given. */
export const DEFAULT_MOMENTUM = 0.9;

const SGD_CONSTANT: LocalRecipe = Object.freeze({ rule: 'sgd', lr: 0.05, momentum: 0, schedule: 'constant', warmupSteps: 0, floor: 1 });
const RESNET = TRAIN_RECIPES.resnet!;

/**
 * The default local recipe per backbone (a backbone not listed gets mlp's). resnet: the central
 * recipe's rule and rate (Adam at 0.002) at a constant rate. Its per-step schedule over the run
 * (`--schedule step`: 100 warm-up steps, cosine to 0) measured worse in fleets, where it spends
 * the last rounds at rates near 0: 2 clients x 1,500 samples, 4 rounds, seeds 1-3, pre-local /
 * post-local accuracy 0.425 / 0.667 against 0.490 / 0.725 at a constant rate; 10 rounds, seed 1:
 * 0.766 / 0.804 against 0.786 / 0.826.
 */
export const LOCAL_RECIPES: Readonly<Record<string, LocalRecipe>> = Object.freeze({
  mlp: SGD_CONSTANT,
  cnn: SGD_CONSTANT,
  resnet: Object.freeze({ rule: RESNET.optimizer, lr: RESNET.lr, momentum: 0, schedule: 'constant', warmupSteps: 0, floor: 1 }),
});

/**
 * Default peak rate of `--optimizer` on a backbone whose recipe uses another rule. Momentum SGD
 * takes 0.005: with momentum 0.9 its steady step is 10x the rate, the step of plain SGD at 0.05.
 */
export const LOCAL_DEFAULT_LR: Readonly<Record<(typeof LOCAL_OPTIMIZERS)[number], number>> = Object.freeze({ sgd: 0.05, momentum: 0.005, adam: 0.002 });

/** The flags a recipe is resolved from (undefined: the backbone's default). */
export interface LocalOverrides {
  optimizer?: string;
  lr?: number;
  momentum?: number;
  schedule?: string;
  warmup?: number;
}

/**
 * The backbone's local recipe with the flags' overrides; ConfigError naming the flag for a bad
 * value. `lrFlag` names the learning-rate flag in messages (`--learning-rate` or `--lr`).
 */
export function resolveLocalRecipe(backbone: string, o: LocalOverrides, lrFlag = '--learning-rate'): LocalRecipe {
  const base = LOCAL_RECIPES[backbone] ?? SGD_CONSTANT;
  const choice = o.optimizer ?? base.rule;
  if (!(LOCAL_OPTIMIZERS as readonly string[]).includes(choice))
    throw new ConfigError(`--optimizer must be one of ${LOCAL_OPTIMIZERS.join(', ')} (got '${choice}')`);
  const rule: UpdateRule = choice === 'adam' ? 'adam' : 'sgd';
  if (o.momentum !== undefined && rule === 'adam') throw new ConfigError('--momentum applies to --optimizer sgd or momentum, not adam');
  const momentum = o.momentum ?? (choice === 'momentum' ? DEFAULT_MOMENTUM : base.momentum);
  if (!Number.isFinite(momentum) || momentum < 0 || momentum >= 1) throw new ConfigError(`--momentum must be a number in [0, 1) (got ${momentum})`);
  const sameRule = choice === base.rule && momentum === base.momentum;
  const lr = o.lr ?? (sameRule ? base.lr : LOCAL_DEFAULT_LR[choice as keyof typeof LOCAL_DEFAULT_LR]);
  if (!Number.isFinite(lr) || lr < 0) throw new ConfigError(`${lrFlag} must be a number >= 0 (got ${lr})`);
  const schedule = o.schedule ?? base.schedule;
  if (!(LOCAL_SCHEDULES as readonly string[]).includes(schedule))
    throw new ConfigError(`--schedule must be one of ${LOCAL_SCHEDULES.join(', ')} (got '${schedule}')`);
  if (o.warmup !== undefined && schedule !== 'step') throw new ConfigError(`--warmup applies to --schedule step (the schedule is ${schedule})`);
  // The step schedule takes the central recipe's warm-up and floor where it has one (resnet: 100 steps, 0).
  const central = TRAIN_RECIPES[backbone]?.schedule === 'step' ? TRAIN_RECIPES[backbone] : undefined;
  const warmupSteps = schedule === 'step' ? (o.warmup ?? central?.warmupSteps ?? 0) : 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new ConfigError(`--warmup must be an integer >= 0 (got ${warmupSteps})`);
  const floor = schedule === 'epoch' ? 0.1 : schedule === 'step' ? (central?.floor ?? 0) : 1;
  return Object.freeze({ rule, lr, momentum, schedule: schedule as LocalRecipe['schedule'], warmupSteps, floor });
}

/** The rate a task of `round` (1-based) of `totalRounds` carries: the epoch schedule's cosine from `peak` to `floor` x peak, else `peak`. */
export function roundLearningRate(r: LocalOptimizerSpec, peak: number, round: number, totalRounds: number): number {
  if (r.schedule !== 'epoch' || totalRounds <= 1) return peak;
  const t = Math.min(1, (round - 1) / (totalRounds - 1));
  return peak * (r.floor + (1 - r.floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** What RoundTask.local_optimizer carries for a run of `totalRounds` (the epoch schedule travels as constant rates). */
export function taskOptimizer(r: LocalOptimizerSpec, totalRounds: number): TaskOptimizer {
  const step = r.schedule === 'step';
  return Object.freeze({
    rule: r.rule,
    momentum: r.momentum,
    ...ADAM_CONSTANTS,
    schedule: step ? 'step' : 'constant',
    warmupSteps: step ? r.warmupSteps : 0,
    floor: step ? r.floor : 1,
    scheduleRounds: step ? totalRounds : 0,
  });
}

/**
 * Throws ConfigError naming the field unless `r` is a recipe a coordinator can send: a known rule
 * and schedule, constants in range (the values `resolveLocalRecipe` would accept).
 */
export function checkLocalOptimizerSpec(r: LocalOptimizerSpec, field = 'optimizer'): void {
  if (!(LOCAL_SCHEDULES as readonly string[]).includes(r.schedule))
    throw new ConfigError(`${field}.schedule must be one of ${LOCAL_SCHEDULES.join(', ')} (got '${r.schedule}')`);
  if (r.schedule === 'epoch' && !(r.floor >= 0 && r.floor <= 1)) throw new ConfigError(`${field}.floor must be a number in [0, 1] (got ${r.floor})`);
  try {
    checkTaskOptimizer(taskOptimizer(r, 1), 1);
  } catch (err) {
    throw new ConfigError(`${field}: ${(err as Error).message.replace(/^local_optimizer\./, '')}`, { cause: err });
  }
}

/** One line naming a recipe, e.g. `adam, lr 0.002, 100 warm-up steps, per-step cosine to 0 over the run`. */
export function describeLocalRecipe(r: LocalRecipe): string {
  const rule = r.rule === 'sgd' && r.momentum > 0 ? `sgd (momentum ${r.momentum})` : r.rule;
  if (r.schedule === 'constant') return `${rule}, lr ${r.lr}`;
  if (r.schedule === 'epoch') return `${rule}, lr ${r.lr}, cosine per round to 10%`;
  const warm = r.warmupSteps > 0 ? `, ${r.warmupSteps} warm-up steps` : '';
  return `${rule}, lr ${r.lr}${warm}, per-step cosine to ${r.floor} over the run`;
}
