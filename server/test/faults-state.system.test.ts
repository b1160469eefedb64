/**
 * State faults against the real coordinator process: a checkpoint whose checksum is right but
 * whose weights are not finite is refused on resume, naming the tensor; a coordinator with no
 * security options refuses to start, and `--insecure` binds loopback and warns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand } from '@flexmoe/shared';
import { SERVER_COMMAND, coordinatorOptions } from '../src/cli/server';
import { globalParameters } from '../src/coordinator/coordinator';
import { writeCheckpoint } from '../src/state/checkpoint';
import { runFlexmoe, startServer, stopProcess } from './helpers/processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '8', '--expert-hidden', '8', '--input-shape', '1,6,6', '--classes', '3'];

test('a checkpoint with a valid checksum but NaN weights is refused on resume', { timeout: 60_000 }, async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'flexmoe-nan-')), 'data');
  const args = ['--data-dir', dataDir, '--rounds', '3', ...SMALL_MODEL];
  const o = coordinatorOptions(parseCommand(SERVER_COMMAND, args, {}).options!);
  const params = globalParameters(o.model, o.round.seed);
  params['backbone.fc.weight']![5] = NaN;
  writeCheckpoint(dataDir, {
    state: {
      runId: 'r',
      seed: o.round.seed,
      strategy: o.strategyName,
      model: o.model,
      totalRounds: 3,
      completedRounds: 1,
      fitness: { rows: {} },
      strategyState: null,
      clients: [],
      history: [],
      historyBytes: 0,
    },
    params,
  });
  const result = await runFlexmoe(['server', '--insecure', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', ...args]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /round-000001\.ckpt: tensor backbone\.fc\.weight holds a non-finite value at index 5/);
  assert.deepEqual(
    readdirSync(dataDir).filter((f) => f.endsWith('.ckpt')),
    ['round-000001.ckpt'],
    'the file is kept',
  );
});

test('no security options: the coordinator refuses to start; --insecure binds loopback and warns', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexmoe-open-'));
  const refused = await runFlexmoe(['server', '--port', '0', '--metrics-port', '0', '--data-dir', dataDir, ...SMALL_MODEL]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /refusing to start without client authentication: give --tokens FILE or mutual TLS/);
  const open = await startServer(['--host', '0.0.0.0', '--data-dir', dataDir, '--insecure', ...SMALL_MODEL]);
  try {
    assert.match(open.logs(), /binding 127\.0\.0\.1 instead of the requested host/);
    assert.match(open.logs(), /"level":40.*INSECURE: clients are not authenticated/);
  } finally {
    await stopProcess(open, 'SIGKILL');
  }
});
