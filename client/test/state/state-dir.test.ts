import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultClientId, StateDir } from '../../src/state/state-dir';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'flexmoe-state-'));
}

test('gate persists across restarts (a fresh StateDir on the same directory)', async () => {
  const dir = await tempDir();
  try {
    const w = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 1e-3 + i);
    const first = await StateDir.open(dir);
    await first.saveGate(
      [
        { name: 'gate.w', shape: [3, 4], data: w },
        { name: 'gate.b', shape: [4], data: new Float32Array([1, -2, 3.5, 0]) },
      ],
      'sig-a',
    );
    const second = await StateDir.open(dir);
    const gate = await second.loadGate('sig-a');
    assert.ok(gate);
    assert.deepEqual(
      gate.map((t) => [t.name, t.shape]),
      [
        ['gate.w', [3, 4]],
        ['gate.b', [4]],
      ],
    );
    assert.deepEqual(Array.from(gate[0].data), Array.from(w));
    assert.equal(await second.loadGate('sig-other-model'), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged gate file is reported, naming the file', async () => {
  const dir = await tempDir();
  try {
    const state = await StateDir.open(dir);
    await state.saveGate([{ name: 'gate.w', shape: [2], data: new Float32Array([1, 2]) }], 's');
    const bytes = await readFile(state.gatePath);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(state.gatePath, bytes);
    await assert.rejects(state.loadGate('s'), (err: Error) => /checksum/.test(err.message) && err.message.includes(state.gatePath));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('client id: default is persisted, a flag overrides it, bad ids are refused', async () => {
  const dir = await tempDir();
  try {
    const state = await StateDir.open(dir);
    assert.equal(await state.resolveClientId(undefined, 'host-a-s1-4'), 'host-a-s1-4');
    // Another hostname later still gives the persisted id.
    assert.equal(await (await StateDir.open(dir)).resolveClientId(undefined, 'host-b'), 'host-a-s1-4');
    assert.equal(await state.resolveClientId('edge-7', 'host-b'), 'edge-7');
    assert.equal(await state.resolveClientId(undefined, 'host-b'), 'edge-7');
    await assert.rejects(state.resolveClientId('bad id!', 'x'), /--id/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('default client id is stable and distinguishes shards', () => {
  assert.equal(defaultClientId(undefined, 'pi.local'), 'pi.local');
  assert.equal(defaultClientId({ index: 2, count: 10 }, 'pi.local'), 'pi.local-s2-10');
  assert.equal(defaultClientId(undefined, '___'), 'client');
});
