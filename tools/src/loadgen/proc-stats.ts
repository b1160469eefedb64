/**
 * Memory and CPU of a Linux process from /proc: resident set now (VmRSS) and at its peak
 * (VmHWM), and CPU seconds used so far (utime + stime of /proc/<pid>/stat).
 */
import { readFileSync } from 'node:fs';
import { statusBytes } from '@flexmoe/shared';

/** One reading of a process's footprint. */
export interface ProcSample {
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly cpuSeconds: number;
  readonly atMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every mainstream Linux build). */
const CLOCK_TICKS = 100;

/** Reads /proc/<pid>; throws when the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) and stime (15)
  return { rssBytes: statusBytes(status, 'VmRSS'), peakRssBytes: statusBytes(status, 'VmHWM'), cpuSeconds: ticks / CLOCK_TICKS, atMs: Date.now() };
}

/** Mebibytes, for reports. */
export function mib(bytes: number): number {
  return bytes / (1 << 20);
}
