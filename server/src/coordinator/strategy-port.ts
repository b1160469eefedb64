/**
 * Connects the round engine to server/src/strategies: the named strategy with the run's options,
 * as the engine's AssignPort plus its checkpointable state.
 */
import { ConfigError, type Logger } from '@flexmoe/shared';
import { createStrategy, type Strategy } from '../strategies';

/** Options the coordinator passes to the strategy factory. */
export interface StrategyPortOptions {
  readonly timeLimitSeconds: number;
  readonly delta: number;
  readonly gamma: number;
  readonly deficitDecay: number;
  readonly logger?: Logger;
}

/** The named strategy; ConfigError for an unknown name. */
export function createAssignPort(name: string, options: StrategyPortOptions): Strategy {
  try {
    return createStrategy(name, options);
  } catch (err) {
    throw new ConfigError(`--strategy: ${(err as Error).message}`, { cause: err });
  }
}
