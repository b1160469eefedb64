/**
 * The PyTorch baseline of the train suite: `server/python/torch_moe_step.py` in a child process
 * (python3 with Debian's python3-torch), spoken to in JSON lines. The script rebuilds the product's
 * MoE training step op for op on the training graph's packed parameters; `torch-step.test.ts`
 * checks that one step there updates the parameters like the ONNX graph does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TOOLS_ROOT } from '../../paths';
import { createInterface, type Interface } from 'node:readline';
import { BenchBackendError } from '../bench-error';
import type { WindowResult } from '../measure';

/** Path of the PyTorch step script (source tree; the build does not copy it). */
export const TORCH_SCRIPT = resolve(TOOLS_ROOT, 'python', 'torch_moe_step.py');

/**
 * The interpreter: `FLEXMOE_PYTHON`, else Debian's /usr/bin/python3 (where apt's python3-torch
 * lives, even when another python3 comes first on PATH), else `python3`.
 */
export function torchPython(): string {
  return process.env.FLEXMOE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** A case of the PyTorch process: its model, batch, thread count and starting point. */
export interface TorchCaseSpec {
  /** The product's MoEConfig (JSON-able). */
  model: unknown;
  /** Expert slots k of the training graph. */
  k: number;
  /** Global indices of the assigned experts (default 0..k-1). */
  assigned?: readonly number[];
  batch: number;
  threads: number;
  lr: number;
  /** Graph parameter names and shapes (the ONNX training graph's inputs, packed layout). */
  specs: ReadonlyArray<{ name: string; shape: readonly number[] }>;
  /** Starting parameters by graph name (default: seeded random). */
  params?: Record<string, Float32Array>;
  /** Input batch [batch, C, H, W] and labels (default: seeded random). */
  x?: Float32Array;
  labels?: Int32Array;
  seed?: number;
}

type Reply = Record<string, unknown> & { ok?: boolean; error?: string };

const b64 = (a: Float32Array | Int32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** A running PyTorch step process. */
export class TorchProcess {
  private nextId = 0;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    /** PyTorch version. */
    readonly version: string,
    /** Threads PyTorch uses by default (the machine's cores). */
    readonly cores: number,
  ) {}

  /**
   * Starts the process. Resolves to the reason instead when python3 or PyTorch is missing, so the
   * bench can print it in its rows.
   */
  static async start(python = torchPython()): Promise<TorchProcess | { unavailable: string }> {
    if (!existsSync(TORCH_SCRIPT)) return { unavailable: `PyTorch baseline script missing (${TORCH_SCRIPT})` };
    // OpenBLAS single-threaded: Debian's libopenblas0-pthread runs its own thread pool beside
    // PyTorch's OpenMP threads. Measured on the 2-core machine (small MoE-sized steps): with both
    // at 2 threads PyTorch's step fell to a third of its one-thread rate or less (oversubscription),
    // and even at torch.set_num_threads(1) the BLAS pool made it 1.4-1.6x slower than with
    // OPENBLAS_NUM_THREADS=1. Pinning it gives the baseline its fastest configuration.
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
    const child = spawn(python, [TORCH_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const spawned = await new Promise<Error | null>((res) => {
      child.once('error', res);
      child.once('spawn', () => res(null));
    });
    if (spawned) return { unavailable: `PyTorch baseline not measured: cannot run ${python} (${spawned.message})` };
    const rl = createInterface({ input: child.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const first = await lines.next();
    const hello = first.done ? { ready: false, error: `${python} exited: ${stderr.trim()}` } : (JSON.parse(first.value) as Reply);
    if (hello.ready !== true) {
      child.kill();
      return { unavailable: `PyTorch baseline not measured: ${String(hello.error)}` };
    }
    return new TorchProcess(child, lines, rl, String(hello.torch), Number(hello.cores));
  }

  private async call(req: Record<string, unknown>): Promise<Reply> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new BenchBackendError('PyTorch step process exited');
    const reply = JSON.parse(next.value) as Reply;
    if (reply.ok !== true) throw new BenchBackendError(`PyTorch step failed: ${String(reply.error)}`);
    return reply;
  }

  /** Sets up a case; returns its id. */
  async setup(spec: TorchCaseSpec): Promise<string> {
    const id = `case${this.nextId++}`;
    const params = spec.params ? Object.fromEntries(Object.entries(spec.params).map(([n, a]) => [n, b64(a)])) : undefined;
    await this.call({
      op: 'setup',
      id,
      model: spec.model,
      k: spec.k,
      assigned: spec.assigned,
      batch: spec.batch,
      threads: spec.threads,
      lr: spec.lr,
      specs: spec.specs,
      params,
      seed: spec.seed ?? 1,
      ...(spec.x ? { x: b64(spec.x) } : {}),
      ...(spec.labels ? { labels: b64(spec.labels) } : {}),
    });
    return id;
  }

  /** Steps case `id` for `ms` milliseconds inside the process; its own clocks time the window. */
  async window(id: string, ms: number): Promise<WindowResult> {
    const r = await this.call({ op: 'run', id, ms });
    return { count: Number(r.count), ms: Number(r.wallMs), cpuUs: Number(r.cpuUs) };
  }

  /** Runs `n` steps of case `id`; returns their losses. */
  async steps(id: string, n: number): Promise<number[]> {
    return (await this.call({ op: 'steps', id, n })).losses as number[];
  }

  /** The current parameters of case `id` by graph name. */
  async params(id: string): Promise<Record<string, Float32Array>> {
    const p = (await this.call({ op: 'params', id })).params as Record<string, string>;
    return Object.fromEntries(
      Object.entries(p).map(([n, s]) => {
        const buf = Buffer.from(s, 'base64');
        return [n, new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))];
      }),
    );
  }

  /** Frees case `id`. */
  async drop(id: string): Promise<void> {
    await this.call({ op: 'drop', id });
  }

  /** Ends the process. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((res) => this.child.once('exit', () => res()));
    this.child.stdin.end(`${JSON.stringify({ op: 'quit' })}\n`);
    this.rl.close();
    await exited;
  }
}
