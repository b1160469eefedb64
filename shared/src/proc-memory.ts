/**
 * A process's resident memory as the kernel counts it, from /proc/<pid>/status: VmRSS now and
 * VmHWM, the high-water mark. VmHWM covers every thread (a worker thread is the same process) and
 * every allocation, however short-lived, which a sampler of `process.memoryUsage().rss()` misses
 * (it also reads 0 under qemu user-mode emulation).
 */
import { readFileSync } from 'node:fs';

/** Resident set now and at its peak, bytes. */
export interface ResidentMemory {
  readonly rssBytes: number;
  readonly peakRssBytes: number;
}

/** The value of a `Field:   123 kB` line of /proc/<pid>/status in bytes (0 when absent). */
export function statusBytes(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** VmRSS and VmHWM of `pid` (default this process); throws when /proc cannot be read. */
export function readResidentMemory(pid: number | 'self' = 'self'): ResidentMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: statusBytes(status, 'VmRSS'), peakRssBytes: statusBytes(status, 'VmHWM') };
}

/** This process's resident set now in bytes: VmRSS where /proc exists, else `memoryUsage.rss()`. */
export function currentResidentBytes(): number {
  let rss = 0;
  try {
    rss = readResidentMemory().rssBytes;
  } catch {
    // No /proc: ask V8 below.
  }
  if (rss === 0) rss = process.memoryUsage.rss();
  observedPeak = Math.max(observedPeak, rss);
  return rss;
}

/**
 * This process's peak resident set in bytes: the kernel's VmHWM where /proc exists (Linux),
 * else the largest `memoryUsage.rss()` this function has seen (macOS, Windows).
 */
export function peakResidentBytes(): number {
  try {
    const peak = readResidentMemory().peakRssBytes;
    if (peak > 0) return peak;
  } catch {
    // No /proc: fall back to sampling below.
  }
  currentResidentBytes();
  return observedPeak;
}

let observedPeak = 0;
