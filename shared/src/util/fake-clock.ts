/**
 * A Clock for tests whose time moves only when the test says so. `advance(ms)` fires the timers
 * due in that span in time order (ties in the order they were set), and lets the promise jobs
 * each timer starts run before the next one fires, so a deadline at t=1000 and a report at
 * t=999 always happen in that order, however loaded the machine is.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock, ClockTimer } from './clock';
import { sleep } from './sleep';

interface FakeTimer extends ClockTimer {
  readonly id: number;
  at: number;
  readonly every: number | undefined;
  readonly fn: () => void;
}

/** Event-loop turns given to promise jobs after each fired timer (they may chain a few awaits). */
const SETTLE_TURNS = 20;

/** A deterministic clock: starts at `startMs` and moves only through `advance`/`runNext`. */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    if (timer) this.timers.delete((timer as FakeTimer).id);
  }

  clearInterval(timer: ClockTimer | undefined): void {
    this.clearTimeout(timer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(ms, signal, this);
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** When the earliest pending timer fires, or undefined when none is pending. */
  nextAt(): number | undefined {
    return this.due(Infinity)?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order (intervals as often
   * as they fall due), settling promise jobs after each.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): must be >= 0`);
    const end = this.time + ms;
    await settle();
    for (let timer = this.due(end); timer; timer = this.due(end)) {
      this.time = Math.max(this.time, timer.at);
      this.fire(timer);
      await settle();
    }
    this.time = end;
  }

  /** Moves time to the earliest pending timer and fires it (and any due at the same instant). */
  async runNext(): Promise<boolean> {
    const at = this.nextAt();
    if (at === undefined) return false;
    await this.advance(at - this.time);
    return true;
  }

  private add(fn: () => void, ms: number, every: number | undefined): ClockTimer {
    const timer: FakeTimer = {
      id: this.nextId++,
      at: this.time + Math.max(0, ms),
      every,
      fn,
      unref: () => timer,
    };
    this.timers.set(timer.id, timer);
    return timer;
  }

  /** The earliest timer due at or before `limit` (the first set among equals). */
  private due(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    return best;
  }

  private fire(timer: FakeTimer): void {
    if (timer.every === undefined) this.timers.delete(timer.id);
    else timer.at += timer.every;
    timer.fn();
  }
}

/** Turns given at most to file operations in flight before time moves on anyway. */
const MAX_IO_TURNS = 10_000;

/** File operations in flight (libuv requests): code awaiting them is not done yet. */
function fileRequestsInFlight(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('FSReq') || r.startsWith('FileHandle') || r === 'CloseReq').length;
}

/**
 * Lets pending promise jobs (and the jobs they start) run, and waits for file operations in
 * flight: fake time stands still while real I/O completes, as if it took no time at all, so the
 * order of events does not depend on how fast the disk or the machine is.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await nextTurn();
  for (let i = 0; i < MAX_IO_TURNS && fileRequestsInFlight() > 0; i++) {
    await nextTurn();
    if (fileRequestsInFlight() === 0) for (let j = 0; j < SETTLE_TURNS; j++) await nextTurn();
  }
}
