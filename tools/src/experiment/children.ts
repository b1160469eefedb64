/**
 * The child processes of a local fleet: each `flexmoe` command runs as its own process with its
 * output in a log file. The group stops them all (SIGTERM, then SIGKILL after a grace period),
 * notices a child that dies on its own, and kills whatever is left if this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** The `flexmoe` dispatcher (resolved in tools/src/paths.ts). */
import { FLEXMOE_BIN } from '../paths';
import { PLUGINS_ENV } from '@flexmoe/shared';
export { FLEXMOE_BIN };

/** How much of a child's stderr is kept in memory for error messages. */
const TAIL_BYTES = 4096;

/** What to start: a `flexmoe` command line and where its output goes. */
export interface ChildSpec {
  /** Short name for messages, e.g. `server` or `client-3`. */
  readonly name: string;
  /** Arguments after `flexmoe` (command first). */
  readonly args: readonly string[];
  /** File receiving the child's stdout and stderr. */
  readonly logFile: string;
  /** Node flags before the binary (a daemon's DAEMON_NODE_FLAGS). */
  readonly nodeFlags?: readonly string[];
}

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the group asked it to stop. */
  readonly requested: boolean;
}

/** A running child of the group. */
export class FleetChild {
  readonly exited: Promise<ChildExit>;
  private tail = '';
  private stdoutText = '';
  private stopRequested = false;
  private exitInfo: ChildExit | undefined;

  constructor(
    readonly spec: ChildSpec,
    readonly proc: ChildProcess,
    log: WriteStream,
  ) {
    proc.stdout?.on('data', (d: Buffer) => {
      log.write(d);
      if (this.stdoutText.length < 65536) this.stdoutText += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      log.write(d);
      this.tail = (this.tail + d.toString()).slice(-TAIL_BYTES);
    });
    this.exited = new Promise((resolve) => {
      proc.on('close', (code, signal) => {
        this.exitInfo = { code, signal, requested: this.stopRequested };
        log.end();
        resolve(this.exitInfo);
      });
      proc.on('error', (err) => {
        this.tail += `\n${err.message}`;
      });
    });
  }

  /** Process id (undefined if the spawn failed). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Still running. */
  get alive(): boolean {
    return this.exitInfo === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last few KB the child wrote to stderr. */
  stderrTail(): string {
    return this.tail;
  }

  /** Everything (up to 64 KB) the child wrote to stdout. */
  stdout(): string {
    return this.stdoutText;
  }

  /** Sends a signal and remembers that the stop was ours. */
  signal(sig: NodeJS.Signals): void {
    this.stopRequested = true;
    if (this.alive) this.proc.kill(sig);
  }
}

/** Options of a process group. */
export interface ProcessGroupOptions {
  /** Time between SIGTERM and SIGKILL when stopping. */
  readonly graceMs: number;
  /** Environment of the children. */
  readonly env: NodeJS.ProcessEnv;
  /** Called once when a child exits without being asked to. */
  readonly onUnexpectedExit?: (child: FleetChild, exit: ChildExit) => void;
}

/** The children of one fleet. */
export class ProcessGroup {
  private readonly children: FleetChild[] = [];
  private readonly killAllNow = (): void => {
    for (const c of this.children) if (c.alive) c.proc.kill('SIGKILL');
  };
  private exitHookBound = false;

  constructor(private readonly options: ProcessGroupOptions) {}

  /** Starts `node bin/flexmoe.js <args>` with output to its log file. */
  start(spec: ChildSpec): FleetChild {
    this.bindExitHook();
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    const proc = spawn(process.execPath, [...(spec.nodeFlags ?? []), FLEXMOE_BIN, ...spec.args], {
      env: this.options.env,
      // Same process group as the fleet: whoever kills the group (a terminal, CI) kills them too.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new FleetChild(spec, proc, log);
    this.children.push(child);
    // A throwing hook surfaces as an uncaught exception, as it would from an event listener.
    child.exited
      .then((exit) => {
        if (!exit.requested) this.options.onUnexpectedExit?.(child, exit);
      })
      .catch((err: unknown) =>
        process.nextTick(() => {
          throw err;
        }),
      );
    return child;
  }

  /** Process ids of every child started (alive or not). */
  pids(): number[] {
    return this.children.map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  /** Children still running. */
  alive(): FleetChild[] {
    return this.children.filter((c) => c.alive);
  }

  /**
   * Stops the given children (default: all): SIGTERM, then SIGKILL to those still running after
   * the grace period; resolves once every one has exited.
   */
  async stop(which: readonly FleetChild[] = this.children): Promise<void> {
    const running = which.filter((c) => c.alive);
    for (const c of running) c.signal('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of running) if (c.alive) c.signal('SIGKILL');
    }, this.options.graceMs);
    await Promise.all(running.map((c) => c.exited));
    clearTimeout(timer);
    if (this.alive().length === 0) this.unbindExitHook();
  }

  // If this process exits for any reason with children still running, they die with it.
  private bindExitHook(): void {
    if (this.exitHookBound) return;
    process.on('exit', this.killAllNow);
    this.exitHookBound = true;
  }

  private unbindExitHook(): void {
    if (!this.exitHookBound) return;
    process.off('exit', this.killAllNow);
    this.exitHookBound = false;
  }
}

/**
 * The environment for children: ours without FLEXMOE_* options meant for the fleet command, but
 * with the plugin files (`FLEXMOE_PLUGINS`), which the coordinator and daemons must load too, and
 * the debugging switches (`FLEXMOE_DEBUG`, `FLEXMOE_NCHWC`: 0 keeps convolutions in plain layout).
 */
export function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('FLEXMOE_') || k === 'FLEXMOE_DEBUG' || k === 'FLEXMOE_NCHWC' || k === PLUGINS_ENV) out[k] = v;
  }
  return out;
}
