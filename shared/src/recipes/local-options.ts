/**
 * The flags that choose the clients' local update rule and schedule. `flexmoe server` takes them
 * and `flexmoe fleet` / `experiment` pass them on; the names and meanings are `flexmoe train`'s,
 * plus `--optimizer momentum` (SGD with momentum 0.9) and `--schedule constant`.
 */
import { LOCAL_OPTIMIZERS, LOCAL_SCHEDULES } from './local-recipe';

/** Option specs (no defaults: an absent flag takes the backbone's local recipe). */
export const LOCAL_OPTIMIZER_OPTIONS = {
  optimizer: {
    type: 'string',
    choices: LOCAL_OPTIMIZERS,
    help: "clients' update rule: sgd, momentum (sgd with --momentum 0.9) or adam (default per backbone: adam for resnet, sgd for mlp and cnn)",
  },
  momentum: { type: 'number', min: 0, help: "SGD momentum in [0, 1) of the clients' local steps (default 0; 0.9 with --optimizer momentum)" },
  schedule: {
    type: 'string',
    choices: LOCAL_SCHEDULES,
    help: 'constant; epoch: one rate per round, cosine to 10% at the last round; step: warm-up, then per-step cosine over the run (default constant)',
  },
  warmup: {
    type: 'integer',
    min: 0,
    help: 'linear warm-up steps of the step schedule, counted in local steps of the run (default 100 for resnet, 0 otherwise)',
  },
} as const;
