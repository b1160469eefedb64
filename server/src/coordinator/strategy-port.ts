/**
 * Connects the round engine to server/src/strategies: the named strategy from the registry with
 * the run's options, as the engine's StrategyPort plus its checkpointable state.
 */
import { ConfigError, type Logger } from '@flexmoe/shared';
import { strategyRegistry, type Strategy, type StrategyOptions } from '../strategies';

/** Options the coordinator passes to the strategy factory. */
export interface StrategyPortOptions {
  readonly timeLimitSeconds: number;
  readonly delta: number;
  readonly gamma: number;
  readonly deficitDecay: number;
  readonly aggregation?: StrategyOptions['aggregation'];
  readonly weighting?: StrategyOptions['weighting'];
  readonly logger?: Logger;
}

/** The named strategy; ConfigError for an unknown name. */
export function createAssignPort(name: string, options: StrategyPortOptions): Strategy {
  try {
    return strategyRegistry.create(name, options);
  } catch (err) {
    throw new ConfigError(`--strategy: ${(err as Error).message}`, { cause: err });
  }
}
