/**
 * Worker-thread entry: builds the glpk.js model from a plain instance and solves it. glpk.js is
 * synchronous and overruns its own time limit at scale, so it runs here where the parent can
 * terminate it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildModel } from './glpk-model';
import type { Instance } from './instance';

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
  readonly status: number;
  readonly z: number;
  readonly vars: Record<string, number>;
}

async function main(job: GlpkJob): Promise<void> {
  // glpk.js is an ES module; dynamic import keeps this CommonJS file able to load it.
  const glpk = await (await import('glpk.js/node')).default();
  const model = buildModel(job.instance, { relax: job.relax, elastic: job.elastic });
  const answer = glpk.solve(model, { msglev: 0, tmlim: job.timeLimitSeconds, presol: true });
  const reply: GlpkReply = { status: answer.result.status, z: answer.result.z, vars: answer.result.vars };
  parentPort?.postMessage(reply);
}

main(workerData as GlpkJob).catch((err: unknown) => {
  parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
});
