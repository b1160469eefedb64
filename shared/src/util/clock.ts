/**
 * Time as a dependency. Everything whose behaviour depends on time passing (round deadlines and
 * quorum grace, retry backoff, heartbeats, liveness, reconnect backoff) takes a `Clock`, so tests
 * can run it on a `FakeClock` (`@flexmoe/shared/testing`) deterministically instead of waiting for real
 * seconds. Production code uses `realClock`: the global timers and `Date.now`.
 */
import { sleep } from './sleep';

/** A timer a Clock handed out; `unref` lets the process exit while it is pending (real timers). */
export interface ClockTimer {
  unref(): ClockTimer;
}

/** Wall-clock time and timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
  setInterval(fn: () => void, ms: number): ClockTimer;
  clearInterval(timer: ClockTimer | undefined): void;
  /** Resolves after `ms` of this clock's time, or as soon as `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The process's own clock: `Date.now` and the global timers. */
export const realClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): ClockTimer => setTimeout(fn, ms),
  clearTimeout: (timer: ClockTimer | undefined) => clearTimeout(timer as NodeJS.Timeout | undefined),
  setInterval: (fn: () => void, ms: number): ClockTimer => setInterval(fn, ms),
  clearInterval: (timer: ClockTimer | undefined) => clearInterval(timer as NodeJS.Timeout | undefined),
  sleep: (ms: number, signal?: AbortSignal) => sleep(ms, signal),
});
