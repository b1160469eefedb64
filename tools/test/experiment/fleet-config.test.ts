import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '@flexmoe/shared';
import { SERVER_COMMAND } from '@flexmoe/server';
import { FLEET_COMMAND, fleetConfig } from '../../src/experiment/options';
import { clientArgs, clientId, serverArgs } from '../../src/experiment/fleet-config';

const argv = [
  '--clients',
  '6',
  '--rounds',
  '7',
  '--strategy',
  'greedy',
  '--seed',
  '3',
  '--data-seed',
  '9',
  '--lr',
  '0.1',
  '--epochs',
  '2',
  '--batch-size',
  '16',
  '--beta',
  '0.3',
  '--delta',
  '0.05',
  '--gamma',
  '0.2',
  '--fitness-signal',
  'accuracy',
  '--alpha-l',
  '2',
  '--top-r',
  '1',
  '--experts',
  '4',
  '--capacity',
  '3',
  '--max-samples',
  '0',
];

function config() {
  const parsed = parseCommand(FLEET_COMMAND, argv, {});
  assert.equal(parsed.help, null);
  const o = parsed.options!;
  return fleetConfig(o, { strategy: o.strategy, seed: o.seed, dataSeed: o.dataSeed ?? o.seed, outDir: '/tmp/x' });
}

test('the coordinator gets every fleet setting through its own option parser', () => {
  const parsed = parseCommand(SERVER_COMMAND, serverArgs(config(), '/tmp/x/state/server').slice(1), {});
  assert.equal(parsed.help, null);
  const s = parsed.options!;
  assert.deepEqual(
    [s.strategy, s.rounds, s.experts, s.seed, s.minClients, s.fraction, s.learningRate, s.localEpochs, s.batchSize],
    ['greedy', 7, 4, 3, 6, 1, 0.1, 2, 16],
  );
  assert.deepEqual([s.beta, s.delta, s.gamma, s.fitnessSignal, s.alphaL, s.topR], [0.3, 0.05, 0.2, 'accuracy', 2, 1]);
  assert.equal(s.port, 0, 'any free port');
  assert.equal(s.host, '127.0.0.1', 'loopback only');
  assert.equal(s.keepServing, false, 'the coordinator ends with its run, fleet or no fleet');
});

test("the coordinator's model takes the data's shape and class count", () => {
  const withShape = { ...config(), dataShape: { shape: [3, 32, 32] as const, classes: 43 } };
  const parsed = parseCommand(SERVER_COMMAND, serverArgs(withShape, '/tmp/x/state/server').slice(1), {});
  assert.equal(parsed.options!.inputShape, '3,32,32');
  assert.equal(parsed.options!.classes, 43);
});

test('clients get their shard, the data seed, capacity and no cap when --max-samples is 0', () => {
  const args = clientArgs(config(), 2, '127.0.0.1:5000', '/tmp/x/state/client-2');
  const flag = (name: string) => args[args.indexOf(name) + 1];
  assert.equal(args[0], 'client');
  assert.equal(flag('--shard'), '2/6');
  assert.equal(flag('--seed'), '9');
  assert.equal(flag('--capacity'), '3');
  assert.equal(flag('--id'), clientId(2));
  assert.equal(flag('--threads'), '1', 'daemons sharing one machine take one intra-op thread each');
  assert.equal(args.includes('--max-samples'), false);
});
