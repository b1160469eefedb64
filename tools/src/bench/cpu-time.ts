/**
 * CPU time of the calling thread. All benchmarked work runs on the main thread (ONNX Runtime with
 * one intra-op thread computes on the caller; tfjs-wasm and plain TS are single-threaded), so this
 * time is what the work cost, without other processes on a shared machine diluting it and without
 * V8's helper threads (concurrent GC), which on an idle multi-core machine run beside it anyway.
 */
import { readFileSync } from 'node:fs';

/** Linux reports per-thread times in USER_HZ ticks, fixed at 100 per second in the user ABI. */
const MICROS_PER_TICK = 10_000;

/** Fields after the parenthesised command name in /proc/<pid>/task/<tid>/stat: utime is index 11, stime 12. */
const UTIME_FIELD = 11;
const STIME_FIELD = 12;

let threadStatUsable: boolean | null = null;

function readThreadStat(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[UTIME_FIELD]) + Number(fields[STIME_FIELD]);
    return Number.isFinite(ticks) ? ticks * MICROS_PER_TICK : null;
  } catch {
    return null;
  }
}

/**
 * Microseconds of CPU time used so far by the calling thread (Linux), or by the whole process
 * where per-thread times are unavailable. Only differences between two calls are meaningful.
 */
export function threadCpuMicros(): number {
  if (threadStatUsable !== false) {
    const t = readThreadStat();
    threadStatUsable = t !== null;
    if (t !== null) return t;
  }
  const u = process.cpuUsage();
  return u.user + u.system;
}
