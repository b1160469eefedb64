/**
 * The coverage strategy as a plugin: loading this file registers it under `coverage`, so
 * `flexmoe server --plugin docs/examples/dist/coverage-plugin.js --strategy coverage` (and
 * `flexmoe fleet`, `flexmoe experiment --strategies coverage,flexmoe`) can name it.
 */
import { strategyRegistry } from '@flexmoe/server';
import { CoverageStrategy } from './coverage-strategy';

strategyRegistry.register('coverage', (options) => new CoverageStrategy(options), 'least-trained experts first (docs/examples)');
