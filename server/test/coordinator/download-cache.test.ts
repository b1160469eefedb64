import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultModelConfig } from '@flexmoe/shared';
import { assembleTensors, chunkTensors, type TensorChunk, type TensorChunk__Output, type TensorSpec } from '@flexmoe/proto';
import { globalParameters } from '../../src/coordinator/coordinator';
import { DownloadChunkCache } from '../../src/coordinator/download-cache';
import { taskSpecs, taskTensors } from '../../src/coordinator/requests';

/** What a receiving client would assemble from the chunks (names, shapes, CRC-32 checked). */
function assemble(chunks: readonly TensorChunk[], specs: readonly TensorSpec[]) {
  const bySpec = new Map(specs.map((s) => [s.name, s]));
  return assembleTensors(chunks as unknown as TensorChunk__Output[], { expect: (n) => bySpec.get(n), maxBytes: 1 << 30 });
}

const model = defaultModelConfig({ inputShape: [1, 6, 6], featureDim: 12, expertHidden: 8, experts: 4 });

test('cached download chunks equal fresh chunking, are shared within a round and rebuilt for new parameters', () => {
  const cache = new DownloadChunkCache();
  const params = globalParameters(model, 1);
  const specsA = taskSpecs(model, [0, 2]);
  const specsB = taskSpecs(model, [2, 3]);
  const fresh = [...chunkTensors(taskTensors(params, specsA))];
  const got = cache.chunksFor(params, specsA);
  assert.deepEqual(
    got.map((c) => [c.name, c.offset, c.header?.crc32]),
    fresh.map((c) => [c.name, c.offset, c.header?.crc32]),
  );
  const assembled = assemble(got, specsA);
  for (const s of specsA) assert.deepEqual(assembled.get(s.name)!.data, params[s.name], s.name);
  const again = cache.chunksFor(params, specsB);
  const expert2 = (cs: typeof got) => cs.filter((c) => c.name?.startsWith('expert.2.'));
  assert.deepEqual(
    expert2(again).map((c) => c.header?.crc32),
    expert2(got).map((c) => c.header?.crc32),
  );
  assert.ok(
    expert2(again).every((c, i) => c === expert2(got)[i]),
    'same chunk objects for the same round',
  );
  const next = globalParameters(model, 2);
  const rebuilt = cache.chunksFor(next, specsA);
  assert.notEqual(rebuilt[0], got[0]);
  const reassembled = assemble(rebuilt, specsA);
  for (const s of specsA) assert.deepEqual(reassembled.get(s.name)!.data, next[s.name], s.name);
});
