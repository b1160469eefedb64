/**
 * ONNX Runtime sessions for the MoE graphs, built on first use and cached per
 * (graph kind, assigned-expert count k, steps per call): the assigned experts themselves are
 * graph inputs (gate mask and slot selection), so one session serves every set of k experts.
 * Convolutions run in ONNX Runtime's blocked layout when the once-per-process probe finds a block
 * size that reproduces the plain Conv on this CPU (nchwc-probe.ts), else as plain Convs.
 */
import * as ort from 'onnxruntime-node';
import type { MoEConfig } from '@flexmoe/shared';
import { buildEvalGraph, buildTrainGraph } from '../model/graphs';
import { optimizerKey, PLAIN_SGD, type OptimizerConfig } from '../model/optimizer';
import { nchwcBlockSize } from './nchwc-probe';

/** Which graph a session runs. */
export type GraphKind = 'train' | 'eval';

/** Session options every graph shares: `threads` intra-op threads, sequential, CPU arena, no memory patterns, quiet logs. */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Memory patterns pre-plan buffers per input shape: ~70 MB more resident memory for the cnn
    // step and no measurable speed gain here (the daemon has a 200 MB budget).
    enableMemPattern: false,
    // The CPU arena keeps freed blocks for reuse: without it every step maps fresh pages for its
    // large activations. Measured on one thread at batch 64: the cnn step 13-18% faster, the mlp
    // step unchanged, and resident memory lower, not higher (cnn +73 MB instead of +84 MB over 60
    // steps, resnet +157 MB instead of +284 MB: malloc fragmented more than the arena holds).
    enableCpuMemArena: true,
  };
}

/** A cache of sessions for one model configuration. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    private readonly model: MoEConfig,
    private readonly threads: number,
  ) {}

  /** The session for `kind` with `k` expert slots (and, for training, `steps` per call and the update rule). */
  get(kind: GraphKind, k: number, steps = 1, optimizer: OptimizerConfig = PLAIN_SGD): Promise<ort.InferenceSession> {
    const key = kind === 'train' ? `train:${k}:${steps}:${optimizerKey(optimizer)}` : `eval:${k}`;
    let s = this.sessions.get(key);
    if (!s) {
      // The graph bytes depend on this CPU's NCHWc block size: they are built here, never cached
      // or sent elsewhere.
      s = nchwcBlockSize().then((nchwcBlock) => {
        const dtype = 'float32';
        const bytes =
          kind === 'train' ? buildTrainGraph(this.model, k, { dtype, steps, optimizer, nchwcBlock }) : buildEvalGraph(this.model, k, { dtype, nchwcBlock });
        return ort.InferenceSession.create(bytes, sessionOptions(this.threads));
      });
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Releases every session. */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        await (await s).release();
      } catch {
        // A session that failed to build has nothing to release.
      }
    }
  }
}
