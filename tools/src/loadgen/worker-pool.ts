/**
 * Runs a load generator's sessions in worker threads, each with its own channels and event loop,
 * so one load generator process can use more than one core: the sessions are split into
 * contiguous groups, and every event a worker reports is replayed on the parent's recorder.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadEvents } from './recorder';
import type { SessionOutcome, SessionSettings } from './sessions';
import type { ClientProfile } from './sim-client';

/** What a worker gets (structured-cloned). */
export interface WorkerInput {
  readonly address: string;
  readonly profiles: readonly ClientProfile[];
  readonly channels: number;
  readonly settings: SessionSettings;
}

/** What a worker posts: an event for the recorder, its sessions' outcomes at the end, or a failure. */
export type WorkerMessage =
  { readonly event: keyof LoadEvents; readonly args: readonly unknown[] } | { readonly outcomes: SessionOutcome[] } | { readonly failed: string };

const WORKER_FILE = path.join(__dirname, 'session-worker.js');

/** Splits `items` into `parts` contiguous groups of near-equal size (none empty when items >= parts). */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const groups: T[][] = [];
  for (let p = 0, start = 0; p < parts; p++) {
    const size = Math.floor(items.length / parts) + (p < items.length % parts ? 1 : 0);
    groups.push(items.slice(start, start + size));
    start += size;
  }
  return groups.filter((g) => g.length > 0);
}

/**
 * Runs `profiles` in `threads` workers with `channels` connections in all; resolves with every
 * session's outcome (in profile order) once all workers finished. Aborting `signal` stops them.
 */
export async function runSessionsInWorkers(
  address: string,
  profiles: readonly ClientProfile[],
  threads: number,
  channels: number,
  settings: SessionSettings,
  events: LoadEvents,
  signal: AbortSignal,
): Promise<SessionOutcome[]> {
  const groups = splitEvenly(profiles, threads);
  const perWorker = Math.max(1, Math.ceil(channels / groups.length));
  // One failed worker stops the others; the first failure is reported once all have exited.
  const failed = new AbortController();
  const stop = AbortSignal.any([signal, failed.signal]);
  const results = await Promise.allSettled(
    groups.map((group) =>
      runWorker({ address, profiles: group, channels: perWorker, settings }, events, stop).catch((err: unknown) => {
        failed.abort();
        throw err;
      }),
    ),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.flatMap((r) => (r as PromiseFulfilledResult<SessionOutcome[]>).value);
}

function runWorker(input: WorkerInput, events: LoadEvents, signal: AbortSignal): Promise<SessionOutcome[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: input });
    let outcomes: SessionOutcome[] | undefined;
    let failure: Error | undefined;
    const stop = (): void => worker.postMessage('stop');
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if ('event' in m) (events[m.event] as (...a: readonly unknown[]) => void)(...m.args);
      else if ('outcomes' in m) outcomes = m.outcomes;
      else failure = new Error(`load generator worker: ${m.failed}`);
    });
    worker.on('error', (err) => (failure ??= err));
    worker.on('exit', (code) => {
      signal.removeEventListener('abort', stop);
      if (failure) reject(failure);
      else if (outcomes) resolve(outcomes);
      else reject(new Error(`load generator worker exited (code ${code}) without a report`));
    });
  });
}
