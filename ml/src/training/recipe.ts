/**
 * Central-training recipes per backbone: the update rule, peak learning rate and schedule that
 * `flexmoe train` uses unless told otherwise. The numbers (and why they are what they are) live
 * in @flexmoe/shared, which the coordinator also reads for its clients' default local recipe.
 */
import type { BackboneKind } from '@flexmoe/shared';
import { DEFAULT_LR, TRAIN_RECIPES, type TrainRecipe } from '@flexmoe/shared';
import type { OptimizerKind } from '../model/optimizer';

export { DEFAULT_LR, TRAIN_RECIPES, type TrainRecipe };

/** What a caller may override (undefined: the backbone's recipe). */
export interface RecipeOverrides {
  optimizer?: string;
  lr?: number;
  momentum?: number;
  schedule?: string;
  warmup?: number;
}

/**
 * The backbone's recipe with the caller's overrides (a backbone without a recipe, such as one a
 * plugin registers, takes mlp's). Choosing another update rule without a learning rate takes
 * that rule's default rate (an SGD rate is far too large for Adam).
 */
export function resolveRecipe(backbone: BackboneKind, o: RecipeOverrides): TrainRecipe {
  const base = TRAIN_RECIPES[backbone] ?? TRAIN_RECIPES.mlp;
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
