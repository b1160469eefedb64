import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand, type CommandSpec } from '../../src/config/options';

const spec = {
  name: 'demo',
  summary: 'a demo command',
  options: {
    port: { type: 'integer', default: 7070, min: 0, max: 65535, help: 'port' },
    strategy: { type: 'string', default: 'flexmoe', choices: ['flexmoe', 'greedy'], help: 'strategy' },
    seeds: { type: 'list', default: ['1'], help: 'seeds' },
    verbose: { type: 'boolean', default: false, help: 'verbose' },
    dataDir: { type: 'string', help: 'data dir' },
  },
} as const satisfies CommandSpec;

function configFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'flexmoe-config-')), 'c.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

test('defaults apply when nothing else is given', () => {
  const { options } = parseCommand(spec, [], {});
  assert.equal(options?.port, 7070);
  assert.equal(options?.strategy, 'flexmoe');
  assert.deepEqual(options?.seeds, ['1']);
  assert.equal(options?.dataDir, undefined);
  assert.ok(Object.isFrozen(options));
});

test('precedence is defaults < config file < environment < flags', () => {
  const file = configFile({ port: 1000, strategy: 'greedy', 'data-dir': '/from-file' });
  const fromFile = parseCommand(spec, ['--config', file], {}).options;
  assert.equal(fromFile?.port, 1000);
  assert.equal(fromFile?.dataDir, '/from-file');
  const fromEnv = parseCommand(spec, ['--config', file], { FLEXMOE_PORT: '2000' }).options;
  assert.equal(fromEnv?.port, 2000);
  assert.equal(fromEnv?.strategy, 'greedy');
  const fromFlag = parseCommand(spec, ['--config', file, '--port=3000', '--verbose'], { FLEXMOE_PORT: '2000' }).options;
  assert.equal(fromFlag?.port, 3000);
  assert.equal(fromFlag?.verbose, true);
});

test('bad values name their source', () => {
  assert.throws(() => parseCommand(spec, ['--port', 'abc'], {}), /--port: expected a number/);
  assert.throws(() => parseCommand(spec, [], { FLEXMOE_PORT: '70000' }), /FLEXMOE_PORT: must be at most 65535/);
  assert.throws(() => parseCommand(spec, ['--strategy', 'best'], {}), /expected one of flexmoe, greedy/);
  assert.throws(() => parseCommand(spec, ['--colour', 'red'], {}), /unknown option --colour/);
  assert.throws(() => parseCommand(spec, ['--port'], {}), /--port needs a value/);
  assert.throws(() => parseCommand(spec, ['--config', configFile({ nope: 1 })], {}), /unknown option 'nope'/);
  assert.throws(() => parseCommand(spec, ['--config', '/does/not/exist.json'], {}), /cannot read config file/);
});

test('--help returns the help text with every option', () => {
  const parsed = parseCommand(spec, ['--help'], {});
  assert.match(parsed.help ?? '', /--data-dir/);
  assert.match(parsed.help ?? '', /--config FILE/);
});
