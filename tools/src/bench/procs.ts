/**
 * Real `flexmoe` processes for the benchmark suites: spawn one with its output captured, and
 * poll until something it does becomes visible.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** The repository's `bin/flexmoe.js` (tools/src/paths.ts). */
import { FLEXMOE_BIN as BIN } from '../paths';
export { BIN };

/** A running `flexmoe` process and its output so far. */
export interface Proc {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `node bin/flexmoe.js ...args`. With `procsFile`, a shell first writes its own pid there
 * and then execs node, so the process is inside that cgroup from its first allocation.
 */
export function start(args: string[], opts: { procsFile?: string; nodeFlags?: readonly string[] } = {}): Proc {
  const argv = [process.execPath, ...(opts.nodeFlags ?? []), BIN, ...args];
  const child = opts.procsFile
    ? spawn('/bin/sh', ['-c', 'echo $$ > "$FLEXMOE_CGROUP_PROCS" && exec "$@"', 'sh', ...argv], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FLEXMOE_CGROUP_PROCS: opts.procsFile },
      })
    : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Polls `probe` every 200 ms until it gives a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
