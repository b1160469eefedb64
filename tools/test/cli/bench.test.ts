import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/cli/bench';

test('flexmoe bench --help lists the suites and options', async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    assert.equal(await run(['--help']), 0);
  } finally {
    console.log = log;
  }
  const help = lines.join('\n');
  for (const word of ['--suite', 'train|solver|system|scale|all', '--json', '--quick']) assert.ok(help.includes(word), `help lacks ${word}`);
});

test('flexmoe bench rejects an unknown suite and unknown options, naming them', async () => {
  await assert.rejects(run(['--suite', 'gpu']), /--suite.*expected one of/);
  await assert.rejects(run(['--fast']), /unknown option --fast/);
});

test('flexmoe bench refuses a --json path in a missing directory before running anything', async () => {
  await assert.rejects(run(['--suite', 'train', '--json', '/nonexistent-dir/bench.json', '--log-level', 'silent']), /--json .*does not exist/);
});
