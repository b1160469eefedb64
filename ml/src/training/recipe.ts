/**
 * Central-training recipes per backbone: the update rule, peak learning rate and schedule that
 * `flexmoe train` uses unless told otherwise.
 *
 * mlp and cnn: plain SGD at 0.2 with a per-epoch cosine decay to 10% (unchanged since issue 11).
 * resnet: Adam at 0.002, 100 warm-up steps, then a per-step cosine decay to zero. The GroupNorm
 * ResNet's globally pooled features are nearly the same for every sample at initialisation
 * (between-sample variance of the 128 features about 1/40 of their squared mean, against 2/5 for
 * the cnn's flattened ones), which plain SGD climbs out of slowly: 0.8435 after 3 epochs, and at
 * most 0.35 test accuracy after 63-125 steps at SGD rates from 0.01 to 1 (the cnn: 0.64-0.71).
 * Adam's per-weight step sizes do not depend on that scale: 0.8875 after 3 epochs, 0.9150 with the
 * model's 16 groups and weight standardisation (see resnet.ts).
 */
import type { BackboneKind } from '@flexmoe/shared';
import type { OptimizerKind } from '../model/optimizer';

/** How one backbone is trained centrally. */
export interface TrainRecipe {
  readonly optimizer: OptimizerKind;
  /** Peak learning rate. */
  readonly lr: number;
  /** SGD momentum (sgd only). */
  readonly momentum: number;
  /** `epoch`: one rate per epoch, cosine from lr to 10%; `step`: warm-up, then per-step cosine to `floor`. */
  readonly schedule: 'epoch' | 'step';
  /** Linear warm-up steps (step schedule only). */
  readonly warmupSteps: number;
  /** Final rate as a fraction of the peak (step schedule only). */
  readonly floor: number;
}

const SGD_EPOCH: TrainRecipe = Object.freeze({ optimizer: 'sgd', lr: 0.2, momentum: 0, schedule: 'epoch', warmupSteps: 0, floor: 0.1 });

/** The default recipe of each backbone. */
export const TRAIN_RECIPES: Readonly<Record<BackboneKind, TrainRecipe>> = Object.freeze({
  mlp: SGD_EPOCH,
  cnn: SGD_EPOCH,
  resnet: Object.freeze({ optimizer: 'adam', lr: 0.002, momentum: 0, schedule: 'step', warmupSteps: 100, floor: 0 }),
});

/** Default peak learning rate of an update rule when the caller picks a rule other than the recipe's. */
export const DEFAULT_LR: Readonly<Record<OptimizerKind, number>> = Object.freeze({ sgd: 0.2, adam: 0.002 });

/** What a caller may override (undefined: the backbone's recipe). */
export interface RecipeOverrides {
  optimizer?: string;
  lr?: number;
  momentum?: number;
  schedule?: string;
  warmup?: number;
}

/**
 * The backbone's recipe with the caller's overrides. Choosing another update rule without a
 * learning rate takes that rule's default rate (an SGD rate is far too large for Adam).
 */
export function resolveRecipe(backbone: BackboneKind, o: RecipeOverrides): TrainRecipe {
  const base = TRAIN_RECIPES[backbone];
  const optimizer = (o.optimizer ?? base.optimizer) as OptimizerKind;
  const sameRule = optimizer === base.optimizer;
  return Object.freeze({
    optimizer,
    lr: o.lr ?? (sameRule ? base.lr : DEFAULT_LR[optimizer]),
    momentum: o.momentum ?? base.momentum,
    schedule: (o.schedule ?? base.schedule) as TrainRecipe['schedule'],
    warmupSteps: o.warmup ?? base.warmupSteps,
    floor: (o.schedule ?? base.schedule) === base.schedule ? base.floor : 0,
  });
}
