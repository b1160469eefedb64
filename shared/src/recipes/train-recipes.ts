/**
 * How each backbone is trained, as plain data: the central recipe of `flexmoe train` and the
 * local recipe a coordinator sends its clients by default. Both the ML package and the
 * coordinator read these numbers; neither loads the other to get them.
 *
 * Central, mlp and cnn: plain SGD at 0.2 with a per-epoch cosine decay to 10% (unchanged since
 * issue 11). resnet: Adam at 0.002, 100 warm-up steps, then a per-step cosine decay to zero. The
 * GroupNorm ResNet's globally pooled features are nearly the same for every sample at
 * initialisation (between-sample variance of the 128 features about 1/40 of their squared mean,
 * against 2/5 for the cnn's flattened ones), which plain SGD climbs out of slowly: 0.8435 after 3
 * epochs, and at most 0.35 test accuracy after 63-125 steps at SGD rates from 0.01 to 1 (the cnn:
 * 0.64-0.71). Adam's per-weight step sizes do not depend on that scale: 0.8875 after 3 epochs,
 * 0.9150 with the model's 16 groups and weight standardisation.
 *
 * Local (federated clients), mlp and cnn: plain SGD at a constant 0.05, what clients did before
 * the recipe travelled (the README's experiment figures were measured with it). resnet: the
 * central recipe's Adam at 0.002, at a constant rate (local-recipe.ts says why).
 */

/** The update rules a recipe names (the ML package's OptimizerKind). */
export type UpdateRule = 'sgd' | 'adam';

/** Every update rule, for option parsers. */
export const UPDATE_RULES: readonly UpdateRule[] = Object.freeze(['sgd', 'adam'] as UpdateRule[]);

/** How one backbone is trained centrally. */
export interface TrainRecipe {
  readonly optimizer: UpdateRule;
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
const ADAM_STEP: TrainRecipe = Object.freeze({ optimizer: 'adam', lr: 0.002, momentum: 0, schedule: 'step', warmupSteps: 100, floor: 0 });

/** The central recipe of each built-in backbone (keyed by backbone name). */
export const TRAIN_RECIPES: Readonly<Record<string, TrainRecipe>> = Object.freeze({
  mlp: SGD_EPOCH,
  cnn: SGD_EPOCH,
  resnet: ADAM_STEP,
});

/** Default peak learning rate of an update rule when the caller picks a rule other than the recipe's. */
export const DEFAULT_LR: Readonly<Record<UpdateRule, number>> = Object.freeze({ sgd: 0.2, adam: 0.002 });

/** Adam's moment decays and epsilon (PyTorch's defaults; no flag changes them). */
export const ADAM_CONSTANTS = Object.freeze({ beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
