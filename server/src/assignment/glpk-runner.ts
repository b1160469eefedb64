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
    const worker = new Worker(path.join(__dirname, 'glpk-worker.js'), { workerData: job });
    let settled = false;
    const finish = (outcome: GlpkOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'aborted', seconds: seconds() });
    const timer = setTimeout(() => finish({ kind: 'abandoned', seconds: seconds() }), options.hardLimitSeconds * 1000);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (msg: GlpkReply | { error: string }) => {
      if ('error' in msg) finish({ kind: 'error', message: msg.error, seconds: seconds() });
      else finish({ kind: 'answer', reply: msg, seconds: seconds() });
    });
    worker.once('error', (err) => finish({ kind: 'error', message: err.message, seconds: seconds() }));
    worker.once('exit', (code) => finish({ kind: 'error', message: `glpk worker exited with code ${code}`, seconds: seconds() }));
  });
}
