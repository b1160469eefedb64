/**
 * The strategy registry: built-ins resolve by name with the run's options, an unknown name is a
 * ConfigError listing what is registered, names are unique, and a strategy registered from
 * outside is created like a built-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '@flexmoe/shared';
import { generateProblem } from '../src/assignment';
import { BaseStrategy, GreedyStrategy, StrategyRegistry, strategyRegistry, type StrategyOptions } from '../src/strategies';
import type { AssignmentProblem } from '../src/assignment/types';

test('the built-in strategies are registered under their names', () => {
  assert.deepEqual(strategyRegistry.names(), ['flexmoe', 'balanced', 'greedy', 'random', 'dense']);
  for (const name of strategyRegistry.names()) assert.equal(strategyRegistry.create(name).name, name);
  assert.ok(strategyRegistry.list().every((e) => e.summary.length > 0));
});

test('an unknown strategy name is a ConfigError that lists the registered ones', () => {
  assert.throws(
    () => strategyRegistry.create('best'),
    (err: unknown) => err instanceof ConfigError && /unknown strategy 'best' \(registered: flexmoe, balanced, greedy, random, dense\)/.test(err.message),
  );
});

test('names are unique, lower-case identifiers, and a factory must build the strategy it is named for', () => {
  const r = new StrategyRegistry().register('greedy', (o) => new GreedyStrategy(o));
  assert.throws(() => r.register('greedy', (o) => new GreedyStrategy(o)), /already registered/);
  assert.throws(() => r.register('Bad Name', (o) => new GreedyStrategy(o)), /must be lower-case/);
  r.register('alias', (o) => new GreedyStrategy(o));
  assert.throws(() => r.create('alias'), /built a strategy named 'greedy'/);
});

/** Every client trains its first k experts: the smallest possible strategy. */
class FirstExperts extends BaseStrategy {
  readonly name = 'first';
  seen: StrategyOptions;
  constructor(options: StrategyOptions) {
    super(options);
    this.seen = options;
  }
  assign(problem: AssignmentProblem) {
    return Promise.resolve({ assignment: problem.clients.map((c) => Array.from({ length: c.capacity }, (_, e) => e)) });
  }
}

test('a strategy registered from outside is created with the options it is given', async () => {
  let built: FirstExperts | undefined;
  const r = new StrategyRegistry().register('first', (o) => (built = new FirstExperts(o)), 'first k experts');
  const s = r.create('first', { delta: 0.3 });
  assert.equal(s, built);
  assert.equal(built?.seen.delta, 0.3);
  const p = generateProblem({ clients: 4, experts: 5, seed: 1 });
  const answer = await s.assign(p);
  assert.deepEqual(
    answer.assignment,
    p.clients.map((c) => Array.from({ length: c.capacity }, (_, e) => e)),
  );
  assert.equal(s.snapshot(), null, 'BaseStrategy keeps no state');
});
