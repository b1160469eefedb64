import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coefficientOfVariation, meanStd, summariseRun, type RoundResult } from './results';
import { formatComparisonTable, summariseStrategies } from './table';
import { heatmapPanels, lineChart } from './plots';

test('coefficient of variation is std/mean and 0 for balanced or empty load', () => {
  assert.equal(coefficientOfVariation([5, 5, 5, 5]), 0);
  assert.equal(coefficientOfVariation([]), 0);
  // mean 2, population std 2 (values 0 and 4): CV 1.
  assert.equal(coefficientOfVariation([0, 4]), 1);
});

test('run summary: last accuracy, mean per-round CV, CV of the load summed over rounds', () => {
  const rounds: RoundResult[] = [
    { round: 1, accuracy: 0.5, loadCv: 1, seconds: 1, load: [4, 0], bytes: 100 },
    { round: 2, accuracy: 0.7, loadCv: 1, seconds: 2, load: [0, 4], bytes: 300 },
  ];
  const final = summariseRun(rounds, 2);
  assert.equal(final.accuracy, 0.7);
  assert.equal(final.loadCv, 1);
  assert.equal(final.cumulativeLoadCv, 0, 'each expert got 4 over the run');
  assert.equal(final.bytesPerClientRound, 100);
  assert.equal(final.seconds, 3);
});

test('strategies are summarised over seeds with a sample std', () => {
  const run = (strategy: string, seed: number, accuracy: number) => ({
    strategy, seed, rounds: [],
    final: { accuracy, preLocalAccuracy: accuracy - 0.1, postLocalAccuracy: accuracy, globalAccuracy: null, loadCv: 0.1, loadCvMin: 0.05, lockIn: 0.5, cumulativeLoadCv: 0.05, bytesPerClientRound: 2e6 },
  });
  const [flex, greedy] = summariseStrategies([run('flexmoe', 1, 0.8), run('greedy', 1, 0.7), run('flexmoe', 2, 0.9)]);
  assert.equal(flex.seeds, 2);
  assert.ok(Math.abs(flex.accuracy.mean - 0.85) < 1e-12);
  assert.deepEqual(meanStd([0.8, 0.9]), flex.accuracy);
  assert.equal(greedy.accuracy.std, 0);
  const table = formatComparisonTable([flex, greedy]);
  assert.match(table, /\| flexmoe \| 2 \| 0\.7500 ± 0\.0707 \| 0\.8500 ± 0\.0707 \| n\/a \|/);
});

test('charts are well-formed SVG carrying every series and cell', () => {
  const svg = lineChart('acc', 'round', 'accuracy', [
    { name: 'flexmoe', points: [{ x: 1, y: 0.5 }, { x: 2, y: 0.6 }] },
    { name: 'greedy', points: [{ x: 1, y: 0.4 }] },
  ]);
  assert.match(svg, /^<svg[^>]+xmlns/);
  assert.match(svg, />flexmoe</);
  assert.match(svg, />greedy</);
  const heat = heatmapPanels('load', [{ name: 'flexmoe', rows: [[1, 2], [3, 4]] }]);
  assert.equal((heat.match(/<rect x=/g) ?? []).length, 4);
  assert.match(heat, /round 2, expert 1: 4/);
});
