/** The assignment strategies and their factory. */
import { InvalidArgumentError } from '@flexmoe/shared';
import { DenseStrategy, GreedyStrategy, RandomStrategy } from './baselines';
import { BalancedStrategy, FlexMoEStrategy } from './flexmoe';
import { STRATEGY_NAMES, type Strategy, type StrategyOptions } from './strategy';

export * from './strategy';
export { BalancedStrategy, FlexMoEStrategy } from './flexmoe';
export { DenseStrategy, GreedyStrategy, RandomStrategy } from './baselines';

/** Creates a strategy by name (`flexmoe` is the default policy of the product). */
export function createStrategy(name: string, options: StrategyOptions = {}): Strategy {
  switch (name) {
    case 'flexmoe':
      return new FlexMoEStrategy(options);
    case 'balanced':
      return new BalancedStrategy(options);
    case 'greedy':
      return new GreedyStrategy(options);
    case 'random':
      return new RandomStrategy(options);
    case 'dense':
      return new DenseStrategy(options);
    default:
      throw new InvalidArgumentError(`unknown strategy '${name}' (expected one of ${STRATEGY_NAMES.join(', ')})`);
  }
}
