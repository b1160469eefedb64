/**
 * A saturated machine on demand: one worker thread spinning per core while some work runs, so
 * the solver's answers can be compared idle and under load within one process and one run.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Runs `work` with one spinning worker thread per core; the threads end when it settles. */
export async function withCpuHogs<T>(work: () => Promise<T>): Promise<T> {
  const hogs = Array.from({ length: availableParallelism() }, () => new Worker('for (;;) {}', { eval: true }));
  await Promise.all(hogs.map((h) => new Promise((resolve) => h.once('online', resolve))));
  try {
    return await work();
  } finally {
    await Promise.all(hogs.map((h) => h.terminate()));
  }
}
