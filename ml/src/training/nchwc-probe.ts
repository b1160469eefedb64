/**
 * Which NCHWc block size ONNX Runtime's CPU provider uses on this machine, found by running it:
 * the blocked Conv of tiny graphs must match the plain Conv. The block size depends on the CPU
 * (16 with AVX-512, 8 with AVX2, no blocked kernels at all on some) and is not exposed by the
 * Node API; a wrong block size gives silently wrong results, so only a size that reproduces the
 * plain Conv is used, and anything else (no kernels, a failed session, a mismatch) means 0: the
 * plain graphs. Probed once per process; FLEXMOE_NCHWC=0 turns it off without probing.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../onnx';

/** Block sizes tried, largest first (ONNX Runtime's MLAS uses 16 or 8 on x86-64). */
const CANDIDATES = [16, 8, 4];
/** Largest difference accepted, relative to the largest output magnitude (float32 sums of 288 terms). */
const TOLERANCE = 1e-4;
/** Channels of the probe: a multiple of every candidate, so a wrong block reorders, not pads. */
const CHANNELS = 32;

let probed: Promise<number> | null = null;

/**
 * The NCHWc block size for this process's graphs: 0 when blocked convolutions are unavailable,
 * wrong, or turned off with FLEXMOE_NCHWC=0. Never rejects.
 */
export function nchwcBlockSize(): Promise<number> {
  if (process.env.FLEXMOE_NCHWC === '0') return Promise.resolve(0);
  probed ??= probe().catch(() => 0);
  return probed;
}

async function probe(): Promise<number> {
  const feeds = probeFeeds();
  const want = await runProbe(0, feeds);
  for (const block of CANDIDATES) {
    const got = await runProbe(block, feeds).catch(() => null);
    if (got && matches(want, got)) return block;
  }
  return 0;
}

/** The forms the graphs use: a 3x3 conv (padded, stride 1), a strided one with a bias, a 1x1 projection. */
function probeGraph(block: number): Uint8Array {
  const g = new GraphBuilder({ dtype: 'float32', name: 'nchwc_probe', nchwcBlock: block });
  const x = g.input('x', 'float', [2, CHANNELS, 6, 6]);
  const w = g.input('w', 'float', [CHANNELS, CHANNELS, 3, 3]);
  const p = g.input('p', 'float', [CHANNELS, CHANNELS, 1, 1]);
  const b = g.input('b', 'float', [CHANNELS]);
  g.output(g.conv(x, w, null, { pads: [1, 1, 1, 1] }), 'same');
  g.output(g.conv(x, w, b, { strides: [2, 2], pads: [1, 1, 1, 1] }), 'strided');
  g.output(g.conv(x, p, null, { strides: [2, 2] }), 'projection');
  return g.build();
}

function probeFeeds(): Record<string, ort.Tensor> {
  let seed = 12345;
  // A fixed LCG: the probe must not depend on Math.random.
  const fill = (dims: number[]): ort.Tensor => {
    const data = new Float32Array(dims.reduce((a, d) => a * d, 1));
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed / 2 ** 31 - 1;
    }
    return new ort.Tensor('float32', data, dims);
  };
  return {
    x: fill([2, CHANNELS, 6, 6]),
    w: fill([CHANNELS, CHANNELS, 3, 3]),
    p: fill([CHANNELS, CHANNELS, 1, 1]),
    b: fill([CHANNELS]),
  };
}

async function runProbe(block: number, feeds: Record<string, ort.Tensor>): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(probeGraph(block), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    const out = await session.run(feeds);
    return ['same', 'strided', 'projection'].map((name) => out[name].data as Float32Array);
  } finally {
    await session.release();
  }
}

function matches(want: readonly Float32Array[], got: readonly Float32Array[]): boolean {
  return want.every((a, i) => {
    const b = got[i];
    if (a.length !== b.length) return false;
    let scale = 0;
    let diff = 0;
    for (let j = 0; j < a.length; j++) {
      scale = Math.max(scale, Math.abs(a[j]));
      diff = Math.max(diff, Math.abs(a[j] - b[j]));
    }
    return diff <= TOLERANCE * scale && Number.isFinite(diff);
  });
}
