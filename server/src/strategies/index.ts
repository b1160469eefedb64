/** The strategy lifecycle, the built-in strategies and the registry that names them. */
import { DenseStrategy, GreedyStrategy, RandomStrategy } from './baselines';
import { BalancedStrategy, FlexMoEStrategy } from './flexmoe';
import { StrategyRegistry } from './registry';
import type { Strategy, StrategyOptions } from './strategy';

export * from './strategy';
export { BaseStrategy } from './base';
export { StrategyRegistry, type StrategyEntry, type StrategyFactory } from './registry';
export { BalancedStrategy, FlexMoEStrategy } from './flexmoe';
export { DenseStrategy, GreedyStrategy, RandomStrategy } from './baselines';

/** The built-in strategies (`flexmoe` is the product's default policy). */
export const strategyRegistry = new StrategyRegistry()
  .register('flexmoe', (o) => new FlexMoEStrategy(o), 'load-balanced assignment ILP over Q with deficits and warm starts')
  .register('balanced', (o) => new BalancedStrategy(o), 'the flexmoe ILP with a flat Q (what load balance alone does)')
  .register('greedy', (o) => new GreedyStrategy(o), "each client's top-k experts by Q, load ignored")
  .register('random', (o) => new RandomStrategy(o), 'k experts per client uniformly at random (seeded)')
  .register('dense', (o) => new DenseStrategy(o), 'every client trains every expert (capacity ignored)');

/** A built-in strategy by name; `ConfigError` listing the registered names for an unknown one. */
export function createStrategy(name: string, options: StrategyOptions = {}): Strategy {
  return strategyRegistry.create(name, options);
}
