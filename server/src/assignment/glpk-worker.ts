/**
 * Worker-thread entry: builds the glpk.js model from a plain instance and solves it. glpk.js is
 * synchronous and overruns its own time limit at scale, so it runs here where the parent can
 * terminate it. A worker that answered is kept idle for the next job (saving the WASM compile).
 */
import { parentPort } from 'node:worker_threads';
import { buildModel } from './glpk-model';
import type { Instance } from './instance';
import { threadCpuSeconds } from './thread-cpu';

/** What the parent sends. */
export interface GlpkJob {
  readonly instance: Instance;
  readonly relax: boolean;
  readonly elastic: boolean;
  /** glpk's own time limit in seconds (the parent enforces the hard one). */
  readonly timeLimitSeconds: number;
}

/** What the worker answers. */
export interface GlpkReply {
  /** CPU seconds the worker thread spent on this job. */
  readonly cpuSeconds: number;
  readonly status: number;
  readonly z: number;
  readonly vars: Record<string, number>;
}

/** glpk.js loads and compiles its WASM once per worker; jobs reuse it. */
let glpkReady: ReturnType<typeof loadGlpk> | null = null;

async function loadGlpk() {
  // glpk.js is an ES module; dynamic import keeps this CommonJS file able to load it.
  return (await import('glpk.js/node')).default();
}

async function solve(job: GlpkJob): Promise<GlpkReply> {
  const cpu = threadCpuSeconds();
  glpkReady ??= loadGlpk();
  const glpk = await glpkReady;
  const model = buildModel(job.instance, { relax: job.relax, elastic: job.elastic });
  const answer = glpk.solve(model, { msglev: 0, tmlim: job.timeLimitSeconds, presol: true });
  return { cpuSeconds: threadCpuSeconds() - cpu, status: answer.result.status, z: answer.result.z, vars: answer.result.vars };
}

// One job per message; the parent keeps an idle worker for the next solve.
parentPort?.on('message', (job: GlpkJob) => {
  solve(job).then(
    (reply) => parentPort?.postMessage(reply),
    (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) }),
  );
});
