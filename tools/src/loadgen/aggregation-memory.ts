/**
 * Measures what one round's aggregation keeps alive: the coordinator's current way (every
 * update held until the round ends, then `aggregate`) against the streaming prototype (each
 * update folded in on arrival and dropped). Retained bytes are read after a forced GC at the
 * moment the last update has arrived, so garbage does not blur the comparison.
 */
import { defaultModelConfig } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import { collectGarbage } from '@flexmoe/ml/training';
import { aggregate } from '@flexmoe/server';
import { globalParameters } from '@flexmoe/server';
import type { ClientUpdate } from '@flexmoe/server';
import { perturbInPlace } from './fake-training';
import { StreamingAggregator } from './streaming-aggregate';

/** Result of one comparison. */
export interface AggregationMemory {
  readonly updates: number;
  readonly experts: number;
  readonly holdAllRetainedBytes: number;
  readonly streamingRetainedBytes: number;
  readonly holdAllSeconds: number;
  readonly streamingSeconds: number;
}

function forceGc(): void {
  if (!collectGarbage()) throw new Error('aggregation memory needs explicit collections: run node with --expose-gc (npm run bench does)');
}

/** Live bytes after a full GC (and a pause, so that freed array buffers are released). */
async function retainedBytes(): Promise<number> {
  forceGc();
  await new Promise((r) => setTimeout(r, 200));
  forceGc();
  const m = process.memoryUsage();
  return m.arrayBuffers + m.heapUsed;
}

/** The update client c would send: backbone and `capacity` experts, nudged. */
function makeUpdate(current: ParamMap, experts: number, c: number, capacity: number): ClientUpdate {
  const assigned = Array.from({ length: capacity }, (_, i) => (c * 7 + i * 13) % experts);
  const unique = [...new Set(assigned)];
  const params: ParamMap = {};
  for (const [name, t] of Object.entries(current)) {
    if (name.startsWith('backbone.') || unique.some((e) => name.startsWith(`expert.${e}.`))) {
      const copy = Float32Array.from(t);
      perturbInPlace(copy, c * 31 + name.length, 0.01);
      params[name] = copy;
    }
  }
  const samples = 100 + (c % 400);
  const stats = { loss: 1, accuracy: 0.5, samples };
  return {
    clientId: `c${c}`,
    round: 1,
    samples,
    experts: unique.map((e) => ({ expert: e, usage: samples, accuracy: 0.5, loss: 1 })),
    train: stats,
    test: stats,
    params,
    bytesUp: 0,
    bytesDown: 0,
    trainSeconds: 0,
  };
}

/** Compares both ways for `updates` clients of capacity 2 on the default model with `experts` experts. */
export async function measureAggregationMemory(updates: number, experts: number): Promise<AggregationMemory> {
  const current = globalParameters(defaultModelConfig({ experts }), 1);
  let base = await retainedBytes();
  let t = performance.now();
  const streaming = new StreamingAggregator(current, experts, 'usage');
  for (let c = 0; c < updates; c++) streaming.add(makeUpdate(current, experts, c, 2));
  const streamingRetainedBytes = (await retainedBytes()) - base;
  streaming.result();
  const streamingSeconds = (performance.now() - t) / 1000;
  base = await retainedBytes();
  t = performance.now();
  const held: ClientUpdate[] = [];
  for (let c = 0; c < updates; c++) held.push(makeUpdate(current, experts, c, 2));
  const holdAllRetainedBytes = (await retainedBytes()) - base;
  aggregate(current, held, experts, 'usage');
  const holdAllSeconds = (performance.now() - t) / 1000;
  return { updates, experts, holdAllRetainedBytes, streamingRetainedBytes, holdAllSeconds, streamingSeconds };
}
