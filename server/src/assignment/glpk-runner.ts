/**
 * Runs glpk.js in a worker thread under a hard deadline. The worker is terminated (abandoned) at
 * the deadline or on abort, whatever glpk is doing. glpk's empty answer means "infeasible",
 * "timed out" or "gave up" alike, so callers never read it as infeasible.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Instance } from './instance';
import type { GlpkJob, GlpkReply } from './glpk-worker';

/** How a glpk run ended. */
export type GlpkOutcome =
  | { readonly kind: 'answer'; readonly reply: GlpkReply; readonly seconds: number }
  | { readonly kind: 'abandoned'; readonly seconds: number }
  | { readonly kind: 'aborted'; readonly seconds: number }
  | { readonly kind: 'error'; readonly message: string; readonly seconds: number };

/** Options of one glpk run. */
export interface GlpkRunOptions {
  /** The worker is terminated after this many seconds. */
  readonly hardLimitSeconds: number;
  /** glpk's own (soft) limit; default 80% of the hard one, leaving time to answer. */
  readonly glpkLimitSeconds?: number;
  readonly relax?: boolean;
  readonly elastic?: boolean;
  readonly signal?: AbortSignal;
}

/** A worker that answered its last job, kept (unref'd) for the next one. */
let idleWorker: Worker | null = null;

function takeWorker(): Worker {
  const worker = idleWorker ?? spawnWorker();
  idleWorker = null;
  worker.ref();
  return worker;
}

function spawnWorker(): Worker {
  const worker = new Worker(path.join(__dirname, 'glpk-worker.js'));
  // An idle worker that dies is simply forgotten; a busy one reports through the job's handlers.
  worker
    .on('error', () => undefined)
    .on('exit', () => {
      if (idleWorker === worker) idleWorker = null;
    });
  return worker;
}

/** Keeps a healthy worker for reuse (one at most); any other is terminated. */
function releaseWorker(worker: Worker, healthy: boolean): void {
  if (healthy && idleWorker === null) {
    worker.unref();
    idleWorker = worker;
  } else {
    worker.terminate().catch(() => undefined); // only fails for a worker already gone: nothing to free
  }
}

/** Solves the instance's ILP (or LP relaxation) with glpk.js in an abandonable worker. */
export function runGlpk(instance: Instance, options: GlpkRunOptions): Promise<GlpkOutcome> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const job: GlpkJob = {
    instance,
    relax: options.relax ?? false,
    elastic: options.elastic ?? true,
    timeLimitSeconds: Math.max(0.01, options.glpkLimitSeconds ?? options.hardLimitSeconds * 0.8),
  };
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ kind: 'aborted', seconds: 0 });
    const worker = takeWorker();
    let settled = false;
    const finish = (outcome: GlpkOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      releaseWorker(worker, outcome.kind === 'answer');
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'aborted', seconds: seconds() });
    const timer = setTimeout(() => finish({ kind: 'abandoned', seconds: seconds() }), options.hardLimitSeconds * 1000);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const onMessage = (msg: GlpkReply | { error: string }): void => {
      if ('error' in msg) finish({ kind: 'error', message: msg.error, seconds: seconds() });
      else finish({ kind: 'answer', reply: msg, seconds: seconds() });
    };
    const onError = (err: Error): void => finish({ kind: 'error', message: err.message, seconds: seconds() });
    const onExit = (code: number): void => finish({ kind: 'error', message: `glpk worker exited with code ${code}`, seconds: seconds() });
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(job);
  });
}
