/**
 * A real kernel memory limit for one child process: a fresh memory cgroup (v2 `memory.max` where
 * the unified hierarchy has the memory controller, else v1 `memory.limit_in_bytes`), created by
 * this process (needs root) and removed afterwards. Used to prove the client daemon fits a small
 * device's budget under the kernel's own OOM killer, not under a simulated one.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** A memory cgroup with a hard limit. */
export interface MemoryCgroup {
  /** `v1` or `v2`. */
  readonly version: 'v1' | 'v2';
  /** Its directory under /sys/fs/cgroup. */
  readonly dir: string;
  /** The file a pid is written to so that it joins the cgroup. */
  readonly procsFile: string;
  /** Times the kernel's OOM killer killed a task of this cgroup. */
  oomKills(): number;
  /** Largest memory charge seen (v1 `max_usage_in_bytes`, v2 `memory.peak`), or NaN when unknown. */
  maxUsageBytes(): number;
  /** Removes the cgroup (its processes must have exited). Idempotent. */
  remove(): void;
}

const ROOT = '/sys/fs/cgroup';

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

function hasMemoryController(dir: string): boolean {
  const file = path.join(dir, 'cgroup.controllers');
  return existsSync(file) && read(file).split(/\s+/).includes('memory');
}

/** This process's own cgroup path in the hierarchy whose line in /proc/self/cgroup matches. */
function ownPath(match: (controllers: string) => boolean): string {
  for (const line of read('/proc/self/cgroup').split('\n')) {
    const [, controllers = '', p = ''] = line.split(':');
    if (match(controllers)) return p;
  }
  return '/';
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Where a memory cgroup can be made on this machine, or the reason it cannot. */
export function memoryCgroupSupport(): { version: 'v1' | 'v2'; parent: string } | { unavailable: string } {
  if (process.getuid?.() !== 0) return { unavailable: 'creating a cgroup needs root' };
  for (const dir of [ROOT, path.join(ROOT, 'unified')]) {
    // v2 forbids processes in inner nodes, so the test cgroup goes directly under the root,
    // whose children get the memory controller only once it is enabled in subtree_control.
    if (hasMemoryController(dir)) {
      const subtree = path.join(dir, 'cgroup.subtree_control');
      if (read(subtree).split(/\s+/).includes('memory')) return { version: 'v2', parent: dir };
      try {
        writeFileSync(subtree, '+memory');
        return { version: 'v2', parent: dir };
      } catch (err) {
        return { unavailable: `cannot enable the memory controller in ${subtree}: ${(err as Error).message}` };
      }
    }
  }
  const v1 = path.join(ROOT, 'memory');
  if (existsSync(path.join(v1, 'memory.limit_in_bytes'))) {
    // Nested under this process's own memory cgroup: any limit already on it still applies.
    return {
      version: 'v1',
      parent: path.join(
        v1,
        ownPath((c) => c.split(',').includes('memory')),
      ),
    };
  }
  return { unavailable: 'no cgroup v2 memory controller and no v1 memory hierarchy under /sys/fs/cgroup' };
}

/** Creates a memory cgroup limited to `limitBytes` (no swap). Throws when the machine offers none. */
export function createMemoryCgroup(limitBytes: number, name = `flexmoe-memtest-${process.pid}-${Date.now()}`): MemoryCgroup {
  const support = memoryCgroupSupport();
  if ('unavailable' in support) throw new Error(`cannot create a memory cgroup: ${support.unavailable}`);
  const dir = path.join(support.parent, name);
  mkdirSync(dir);
  const at = (f: string): string => path.join(dir, f);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    rmdirSync(dir);
  };
  try {
    if (support.version === 'v2') {
      writeFileSync(at('memory.max'), String(limitBytes));
      if (existsSync(at('memory.swap.max'))) writeFileSync(at('memory.swap.max'), '0');
    } else {
      writeFileSync(at('memory.limit_in_bytes'), String(limitBytes));
      if (existsSync(at('memory.memsw.limit_in_bytes'))) writeFileSync(at('memory.memsw.limit_in_bytes'), String(limitBytes));
    }
  } catch (err) {
    remove();
    throw err;
  }
  const v2 = support.version === 'v2';
  return {
    version: support.version,
    dir,
    procsFile: at('cgroup.procs'),
    oomKills: () => field(read(at(v2 ? 'memory.events' : 'memory.oom_control')), 'oom_kill'),
    maxUsageBytes: () => {
      const file = at(v2 ? 'memory.peak' : 'memory.max_usage_in_bytes');
      return existsSync(file) ? Number(read(file).trim()) : NaN;
    },
    remove,
  };
}
