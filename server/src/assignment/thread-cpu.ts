/**
 * CPU time of the calling thread, so a solve's cost is measured without the other threads of the
 * process (a coordinator's gRPC work, spinning load in a test) and without other processes.
 * Linux's /proc/thread-self/schedstat reports it in nanoseconds; elsewhere the process's CPU time
 * stands in.
 */
import { readFileSync } from 'node:fs';

let schedstatUsable = true;

/** Seconds of CPU time used so far by the calling thread; only differences are meaningful. */
export function threadCpuSeconds(): number {
  if (schedstatUsable) {
    try {
      const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
      if (Number.isFinite(ns)) return ns / 1e9;
    } catch {
      // Not Linux (or no schedstat): fall through for good.
    }
    schedstatUsable = false;
  }
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
