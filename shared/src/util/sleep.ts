/**
 * The one sleep of the project: a timer that an AbortSignal ends early. It resolves (never
 * rejects) on abort, so loops write `await sleep(ms, signal)` and then test the signal themselves.
 */

/** The timer functions a sleep needs (the global ones, or a Clock's). */
export interface SleepTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: never): void;
}

const globalTimers: SleepTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

/** Resolves after `ms`, or as soon as `signal` aborts (at once if it already has); `timers` default to the global ones. */
export function sleep(ms: number, signal?: AbortSignal, timers: SleepTimers = globalTimers): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = timers.setTimeout(done, ms);
    function done(): void {
      timers.clearTimeout(timer as never);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
