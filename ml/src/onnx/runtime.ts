/**
 * Running built graphs in onnxruntime-node: session creation with the settings measured to be
 * fastest here (one intra-op thread) and plain typed-array feeds and fetches.
 */
import * as ort from 'onnxruntime-node';
import { InvalidArgumentError } from '@flexmoe/shared';

/** Typed arrays a tensor can be backed by (Uint8Array = bool). */
export type HostArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** A tensor in host memory: row-major data and dims. */
export interface HostTensor {
  readonly data: HostArray;
  readonly dims: readonly number[];
}

/** Options for `createSession`. */
export interface SessionOptions {
  /** Intra-op threads (default 1: graphs of many small nodes run fastest on one). */
  readonly intraOpNumThreads?: number;
}

/** Creates an inference session for model bytes (one intra-op and one inter-op thread by default). */
export async function createSession(model: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

function ortType(data: HostArray): 'float32' | 'float64' | 'int64' | 'int32' | 'bool' {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

/** Wraps a host tensor as an ort.Tensor, checking that data fills dims. */
export function toOrtTensor(name: string, t: HostTensor): ort.Tensor {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) {
    throw new InvalidArgumentError(`feed ${name}: ${t.data.length} values do not fill dims [${t.dims.join(',')}]`);
  }
  return new ort.Tensor(ortType(t.data), t.data, [...t.dims]);
}

/**
 * Runs a session on host tensors and returns every requested output (default: all) as host
 * tensors.
 */
export async function runGraph(
  session: ort.InferenceSession,
  feeds: Readonly<Record<string, HostTensor>>,
  fetches?: readonly string[],
): Promise<Record<string, HostTensor>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(name, t);
  const result = fetches ? await session.run(ortFeeds, [...fetches]) : await session.run(ortFeeds);
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(result)) out[name] = { data: t.data as HostArray, dims: [...t.dims] };
  return out;
}

/** Convenience: creates a session for `model`, runs it once, and releases it. */
export async function runModelOnce(model: Uint8Array, feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
  const session = await createSession(model);
  try {
    return await runGraph(session, feeds);
  } finally {
    await session.release();
  }
}
