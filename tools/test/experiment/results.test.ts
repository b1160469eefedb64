import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coefficientOfVariation, lockIn, meanStd, summariseRun, type RoundResult } from '../../src/experiment/results';
import { formatComparisons, pairedComparisons } from '../../src/experiment/comparisons';
import { formatComparisonTable, summariseStrategies } from '../../src/experiment/table';
import { heatmapPanels, lineChart } from '../../src/experiment/plots';

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
    strategy,
    seed,
    rounds: [],
    final: {
      accuracy,
      preLocalAccuracy: accuracy - 0.1,
      postLocalAccuracy: accuracy,
      globalAccuracy: null,
      loadCv: 0.1,
      loadCvMin: 0.05,
      lockIn: 0.5,
      cumulativeLoadCv: 0.05,
      bytesPerClientRound: 2e6,
    },
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
    {
      name: 'flexmoe',
      points: [
        { x: 1, y: 0.5 },
        { x: 2, y: 0.6 },
      ],
    },
    { name: 'greedy', points: [{ x: 1, y: 0.4 }] },
  ]);
  assert.match(svg, /^<svg[^>]+xmlns/);
  assert.match(svg, />flexmoe</);
  assert.match(svg, />greedy</);
  const heat = heatmapPanels('load', [
    {
      name: 'flexmoe',
      rows: [
        [1, 2],
        [3, 4],
      ],
    },
  ]);
  assert.equal((heat.match(/<rect x=/g) ?? []).length, 4);
  assert.match(heat, /round 2, expert 1: 4/);
});

test("lock-in: share of the last round's pairs held through the last five rounds", () => {
  const round = (n: number, assignment: Record<string, number[]>): RoundResult => ({ round: n, accuracy: 0, loadCv: 0, seconds: 0, assignment });
  const frozen = [1, 2, 3, 4, 5].map((n) => round(n, { a: [0, 1], b: [2, 3] }));
  assert.equal(lockIn(frozen), 1);
  const moving = [...frozen.slice(0, 4), round(5, { a: [0, 4], b: [2, 3] })];
  assert.equal(lockIn(moving), 3 / 4, 'expert 4 is new for client a');
  assert.equal(lockIn(frozen.slice(1)), null, 'fewer than five rounds');
});

test('paired comparisons: per-seed differences, a t interval and wins', () => {
  const run = (strategy: string, seed: number, pre: number) => ({
    strategy,
    seed,
    rounds: [],
    final: {
      accuracy: 0.9,
      preLocalAccuracy: pre,
      postLocalAccuracy: 0.9,
      globalAccuracy: null,
      loadCv: 0,
      loadCvMin: 0,
      lockIn: null,
      cumulativeLoadCv: 0,
      bytesPerClientRound: 0,
    },
  });
  const runs = [
    run('flexmoe', 1, 0.7),
    run('random', 1, 0.6),
    run('flexmoe', 2, 0.8),
    run('random', 2, 0.75),
    run('flexmoe', 3, 0.5),
    run('random', 3, 0.55),
    run('random', 9, 0.1),
  ];
  const [pre, post] = pairedComparisons(runs);
  assert.equal(pre.metric, 'preLocalAccuracy');
  assert.deepEqual(pre.seeds, [1, 2, 3], 'seed 9 has no flexmoe run to pair with');
  const diffs = [0.1, 0.05, -0.05];
  const mean = diffs.reduce((a, b) => a + b, 0) / 3;
  assert.ok(Math.abs(pre.meanDiff - mean) < 1e-12);
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / 2);
  assert.ok(Math.abs(pre.ci95![1] - (mean + (4.303 * sd) / Math.sqrt(3))) < 1e-9);
  assert.deepEqual([pre.wins, pre.ties, pre.losses], [2, 0, 1]);
  assert.deepEqual([post.metric, post.wins, post.ties], ['postLocalAccuracy', 0, 3]);
  assert.equal(
    pairedComparisons(runs).some((c) => c.metric === 'globalAccuracy'),
    false,
    'not measured: no row',
  );
  assert.match(formatComparisons([pre]), /\| pre-local \| last \| flexmoe − random \| \+0\.0333 \| \[-0\.\d{4}, \+0\.\d{4}\] \| 2 \/ 3 \|/);
});
