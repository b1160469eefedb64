/**
 * A real coordinator (`node bin/flexmoe.js server ...`) as a child process for benchmarks and
 * endurance runs: output to a log file, the bound ports read from its startup line
 * (`flexmoe server listening grpc=HOST:PORT metrics=HOST:PORT`), progress from its `/metrics`
 * (`flexmoe_round`), the full state from `/api/status`, footprint from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FlexMoEError } from '@flexmoe/shared';
import { sleep } from '@flexmoe/shared';
import { sampleProcess, type ProcSample } from './proc-stats';

/** The `flexmoe` dispatcher (resolved in tools/src/paths.ts). */
import { FLEXMOE_BIN } from '../paths';
export { FLEXMOE_BIN };

const LISTENING = /flexmoe server listening grpc=\S+:(\d+) metrics=\S+:(\d+)/;

/** The coordinator did not come up, or died. */
export class CoordinatorProcessError extends FlexMoEError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLEXMOE_ERR_COORDINATOR_PROCESS', message, options);
  }
}

/** A running coordinator child. */
export class CoordinatorProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly proc: ChildProcess,
    readonly grpcPort: number,
    readonly metricsPort: number,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /**
   * Starts `flexmoe server <args>` (add `--port`, `--metrics-port` yourself; 0 picks free ports),
   * appending its output to `logFile`, and waits for its listening line. `nodeArgs` go to node
   * itself (e.g. `--cpu-prof` to profile the coordinator).
   */
  static async start(args: readonly string[], logFile: string, timeoutMs = 30_000, nodeArgs: readonly string[] = []): Promise<CoordinatorProcess> {
    const fd = openSync(logFile, 'a');
    const startOffset = readFileSync(logFile).length;
    const proc = spawn(process.execPath, [...nodeArgs, FLEXMOE_BIN, 'server', ...args], { stdio: ['ignore', fd, fd], cwd: path.dirname(logFile) });
    closeSync(fd);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const text = readFileSync(logFile, 'utf8').slice(startOffset);
      const m = LISTENING.exec(text);
      if (m) return new CoordinatorProcess(proc, Number(m[1]), Number(m[2]), logFile);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new CoordinatorProcessError(`coordinator exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${text.slice(-2000)}`);
      }
      await sleep(50);
    }
    proc.kill('SIGKILL');
    throw new CoordinatorProcessError(`coordinator did not report its port within ${timeoutMs} ms (see ${logFile})`);
  }

  /** Process id. */
  get pid(): number {
    return this.proc.pid!;
  }

  /** Still running. */
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** RSS, peak RSS and CPU seconds now. */
  sample(): ProcSample {
    return sampleProcess(this.pid);
  }

  /** Rounds completed, from the `flexmoe_round` gauge of /metrics (cheap to poll). */
  async completedRounds(): Promise<number> {
    return gauge(await this.metricsText(), 'flexmoe_round') ?? 0;
  }

  /**
   * Where the coordinator's memory is, in bytes, from its /metrics (prom-client's Node.js gauges):
   * V8 heap reserved and used, and memory outside the heap held by JS objects (Buffers).
   */
  async memory(): Promise<{ heapTotal: number; heapUsed: number; external: number }> {
    const text = await this.metricsText();
    const read = (name: string) => gauge(text, `flexmoe_process_${name}`) ?? NaN;
    return { heapTotal: read('nodejs_heap_size_total_bytes'), heapUsed: read('nodejs_heap_size_used_bytes'), external: read('nodejs_external_memory_bytes') };
  }

  /** Assignment solves cut by the solver's time limit, from /metrics. */
  async solveTimeouts(): Promise<number> {
    return gauge(await this.metricsText(), 'flexmoe_assignment_solve_timeouts_total') ?? 0;
  }

  private async metricsText(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.text();
  }

  /** The full /api/status document (history, clients): large with many clients, fetch rarely. */
  async status<T = Record<string, unknown>>(): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/api/status`, { signal: AbortSignal.timeout(30_000) });
    return (await res.json()) as T;
  }

  /** Polls /metrics until `rounds` are complete; `onPoll` sees each reading. Throws if the process dies. */
  async waitForRound(rounds: number, onPoll?: (completed: number) => void, pollMs = 200): Promise<void> {
    for (;;) {
      if (!this.alive) throw new CoordinatorProcessError(`coordinator exited before round ${rounds} completed (see ${this.logFile})`);
      const done = await this.completedRounds().catch(() => -1);
      onPoll?.(done);
      if (done >= rounds) return;
      await sleep(pollMs);
    }
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The first sample of metric `name` (any labels) in a Prometheus text exposition, if present. */
function gauge(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([-0-9.e+]+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}
