import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultModelConfig } from '@flexmoe/shared';
import { StateDir } from '../../src/state/state-dir';
import { GateStore } from '../../src/daemon/gate';

const model = defaultModelConfig({ experts: 4, featureDim: 8, expertHidden: 4 });

test('personal gate: seeded per client, kept across restarts, fresh for a new run or model', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-gate-'));
  try {
    const store = new GateStore(await StateDir.open(dir), 'edge-1');
    const first = await store.load(model, 'run-a');
    assert.equal(first.fresh, true);
    assert.deepEqual(Object.keys(first.gate).sort(), ['gate.bias', 'gate.weight']);
    assert.equal(first.gate['gate.weight'].length, 8 * 4);
    const other = await new GateStore(await StateDir.open(dir), 'edge-2').load(model, 'run-a');
    assert.notDeepEqual(Array.from(other.gate['gate.weight']), Array.from(first.gate['gate.weight']));

    const trained = { 'gate.weight': first.gate['gate.weight'].map((v) => v + 0.25), 'gate.bias': new Float32Array([1, 2, 3, 4]) };
    await store.save(model, 'run-a', { ...trained, 'backbone.fc.bias': new Float32Array(8) });

    const restarted = new GateStore(await StateDir.open(dir), 'edge-1');
    const again = await restarted.load(model, 'run-a');
    assert.equal(again.fresh, false);
    assert.deepEqual(Array.from(again.gate['gate.weight']), Array.from(trained['gate.weight']));
    assert.deepEqual(Array.from(again.gate['gate.bias']), [1, 2, 3, 4]);

    assert.equal((await restarted.load(model, 'run-b')).fresh, true);
    assert.equal((await restarted.load(defaultModelConfig({ experts: 6, featureDim: 8 }), 'run-a')).fresh, true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged gate file is replaced by the fresh seeded gate, with the reason', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-gate-'));
  try {
    const state = await StateDir.open(dir);
    const store = new GateStore(state, 'edge-1');
    const seeded = await store.load(model, 'run-a');
    await store.save(model, 'run-a', { 'gate.weight': seeded.gate['gate.weight'].map((v) => v + 1), 'gate.bias': new Float32Array(4) });
    await writeFile(state.gatePath, 'not a tensor file at all');
    const after = await store.load(model, 'run-a');
    assert.equal(after.fresh, true);
    assert.ok(after.damaged, 'the damage is reported');
    assert.deepEqual(Array.from(after.gate['gate.weight']), Array.from(seeded.gate['gate.weight']));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
