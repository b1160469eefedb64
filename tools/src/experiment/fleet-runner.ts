/**
 * One local fleet: a coordinator and N client daemons as separate `flexmoe` processes over
 * loopback gRPC. Follows the run through the coordinator's `/api/status`, reports each round as
 * it completes, and always stops every process it started (also on failure or interruption).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DAEMON_NODE_FLAGS } from '@flexmoe/ml/training';
import { sleep } from '@flexmoe/shared';
import type { CoordinatorStatus } from '@flexmoe/server';
import type { RoundRecord } from '@flexmoe/server';
import { loadLatestCheckpoint } from '@flexmoe/server';
import { childEnvironment, ProcessGroup, type ChildExit, type FleetChild } from './children';
import { FleetError, FleetInterruptedError } from './errors';
import { clientArgs, serverArgs, type FleetConfig } from './fleet-config';
import { writeJsonFile } from './report';
import { roundFromRecord, summariseRun, type RunResult } from './results';
import { fetchStatus, parseListeningLine } from './status-poll';

/** Where the fleet reports to. */
export interface FleetIO {
  /** One line of human-readable progress. */
  readonly print: (line: string) => void;
  /** Aborting stops every process and rejects with FleetInterruptedError. */
  readonly signal?: AbortSignal;
}

/** What a finished fleet hands back. */
export interface FleetOutcome {
  readonly run: RunResult;
  /** The coordinator's full per-round history (assignments, loads, timings, solver). */
  readonly history: readonly RoundRecord[];
  /** Process ids of every child the fleet started (all stopped by now). */
  readonly pids: readonly number[];
}

const MARKER = '.flexmoe-fleet';
const STARTUP_TIMEOUT_MS = 30_000;
const MAX_STATUS_ERRORS = 40;
/** How long the coordinator may take to finish after a client left with exit code 0. */
const CLIENT_EXIT_GRACE_MS = 15_000;

/** Fresh state directory under the out dir; refuses to wipe a directory the fleet did not make. */
function prepareDirs(outDir: string): { logs: string; state: string } {
  const logs = path.join(outDir, 'logs');
  const state = path.join(outDir, 'state');
  if (existsSync(state)) {
    if (!existsSync(path.join(state, MARKER)) && readdirSync(state).length > 0) {
      throw new FleetError(`${state} exists and was not made by flexmoe fleet; choose another --out`);
    }
    rmSync(state, { recursive: true, force: true });
  }
  mkdirSync(logs, { recursive: true });
  mkdirSync(state, { recursive: true });
  writeFileSync(path.join(state, MARKER), 'checkpoints and client state of the last fleet run (wiped by the next)\n');
  for (const f of readdirSync(logs)) if (f.endsWith('.log')) rmSync(path.join(logs, f));
  return { logs, state };
}

function describeExit(child: FleetChild, exit: ChildExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = child.stderrTail().trim().split('\n').slice(-8).join('\n');
  return `${child.spec.name} ${how} (log: ${child.spec.logFile})${tail ? `\n--- stderr tail ---\n${tail}` : ''}`;
}

function opt(v: number | null | undefined, digits = 4): string {
  return typeof v === 'number' ? v.toFixed(digits) : 'n/a';
}

/** The progress line of one completed round. */
export function progressLine(r: RoundRecord, rounds: number): string {
  const width = String(rounds).length;
  return (
    `round ${String(r.round).padStart(width)}/${rounds}  accuracy pre ${opt(r.preLocalAccuracy)} post ${r.accuracy.toFixed(4)} global ${opt(r.globalAccuracy)}  ` +
    `load CV ${r.loadCv.toFixed(3)} (min ${opt(r.loadCvMin, 3)})  routed CV ${r.routedLoadCv.toFixed(3)}  time ${r.seconds.toFixed(1)} s`
  );
}

/** The final summary line of a run. */
export function summaryLine(run: RunResult): string {
  const f = run.final;
  return (
    `${run.strategy} seed ${run.seed}: ${run.rounds.length} rounds, final accuracy pre ${opt(f.preLocalAccuracy)} ` +
    `post ${f.accuracy.toFixed(4)} global ${opt(f.globalAccuracy)}, lock-in ${opt(f.lockIn, 2)}, ` +
    `mean load CV ${f.loadCv.toFixed(3)} (min ${opt(f.loadCvMin, 3)}, cumulative ${f.cumulativeLoadCv.toFixed(3)}), ` +
    `${(f.bytesPerClientRound / 1e6).toFixed(2)} MB per client-round, ${(f.seconds ?? 0).toFixed(1)} s`
  );
}

/** Watches a started fleet until the run finishes; throws on a dead child or an abort. */
class FleetWatch {
  private failure: string | undefined;
  private serverEnded = false;
  /** First client that exited 0, and when: fine at the end of the run, a failure otherwise. */
  private clientEnded: { name: string; at: number } | undefined;
  private wake = new AbortController();
  private printed = 0;

  constructor(
    private readonly c: FleetConfig,
    private readonly io: FleetIO,
  ) {}

  /**
   * Records a child that ended on its own. Clients exit 0 when the run completes, and the
   * coordinator exits 0 after its last round: both are fine; whether the run really finished
   * is read from the coordinator's last checkpoint.
   */
  childExited(child: FleetChild, exit: ChildExit, isServer: boolean): void {
    if (exit.code === 0) {
      if (isServer) this.serverEnded = true;
      else this.clientEnded ??= { name: child.spec.name, at: Date.now() };
    } else {
      this.failure ??= describeExit(child, exit);
    }
    this.wake.abort();
  }

  private check(): void {
    if (this.io.signal?.aborted) throw new FleetInterruptedError('fleet interrupted: processes stopped');
    if (this.failure) throw new FleetError(`fleet failed: ${this.failure}`);
  }

  private wait(ms: number): Promise<void> {
    if (this.wake.signal.aborted && !this.failure) this.wake = new AbortController();
    const signals = [this.wake.signal, ...(this.io.signal ? [this.io.signal] : [])];
    return sleep(ms, AbortSignal.any(signals));
  }

  /** Waits for the coordinator's startup line and returns its ports. */
  async ports(server: FleetChild): Promise<{ port: number; metricsPort: number }> {
    const until = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      this.check();
      const ports = parseListeningLine(server.stdout());
      if (ports) return ports;
      if (Date.now() > until) throw new FleetError(`coordinator did not start within ${STARTUP_TIMEOUT_MS / 1000} s (log: ${server.spec.logFile})`);
      await this.wait(50);
    }
  }

  /** Polls the status until the last round is done, printing each completed round once. */
  async untilFinished(metricsPort: number, dataDir: string): Promise<FinishedRun> {
    let errors = 0;
    for (;;) {
      this.check();
      if (this.serverEnded) return this.fromCheckpoint(dataDir);
      let status: CoordinatorStatus | undefined;
      try {
        status = await fetchStatus('127.0.0.1', metricsPort);
        errors = 0;
      } catch (err) {
        if (!this.serverEnded && ++errors > MAX_STATUS_ERRORS)
          throw new FleetError(`coordinator status unreachable: ${(err as Error).message}`, { cause: err });
      }
      this.check();
      if (status) {
        this.report(status.history);
        if (status.round >= this.c.rounds) return { history: status.history, q: status.q };
        this.checkEarlyClientExit(status);
      }
      await this.wait(this.c.pollMs);
    }
  }

  /** A client that left cleanly while the run still needs it would stall every later round. */
  private checkEarlyClientExit(status: CoordinatorStatus): void {
    const ended = this.clientEnded;
    if (ended && status.state !== 'finished' && Date.now() - ended.at > CLIENT_EXIT_GRACE_MS) {
      throw new FleetError(`fleet failed: ${ended.name} exited at round ${status.round} of ${this.c.rounds} while the run went on`);
    }
  }

  private report(history: readonly RoundRecord[]): void {
    for (const r of history.slice(this.printed)) this.io.print(progressLine(r, this.c.rounds));
    this.printed = Math.max(this.printed, history.length);
  }

  /** The coordinator ended before we saw its last round: its newest checkpoint has the history. */
  private fromCheckpoint(dataDir: string): FinishedRun {
    const found = loadLatestCheckpoint(dataDir);
    const state = found?.checkpoint.state;
    if (!state || state.completedRounds < this.c.rounds) {
      throw new FleetError(`coordinator exited after ${state?.completedRounds ?? 0} of ${this.c.rounds} rounds (log in ${path.join(this.c.outDir, 'logs')})`);
    }
    this.report(state.history);
    const q = (state.fitness as { rows?: Record<string, number[]> } | undefined)?.rows ?? {};
    return { history: state.history, q };
  }
}

/** The history and final Q of a finished run. */
interface FinishedRun {
  readonly history: readonly RoundRecord[];
  readonly q: Readonly<Record<string, readonly number[]>>;
}

/** Runs one fleet to the end and returns its results; every child is stopped before it returns. */
export async function runFleet(c: FleetConfig, io: FleetIO): Promise<FleetOutcome> {
  const started = performance.now();
  const dirs = prepareDirs(c.outDir);
  const watch = new FleetWatch(c, io);
  let server: FleetChild | undefined;
  const group = new ProcessGroup({
    graceMs: c.graceMs,
    env: childEnvironment(process.env),
    onUnexpectedExit: (child, exit) => watch.childExited(child, exit, child === server),
  });
  try {
    const serverDataDir = path.join(dirs.state, 'server');
    server = group.start({ name: 'coordinator', args: serverArgs(c, serverDataDir), logFile: path.join(dirs.logs, 'server.log') });
    const { port, metricsPort } = await watch.ports(server);
    io.print(`coordinator pid ${server.pid} grpc 127.0.0.1:${port} status http://127.0.0.1:${metricsPort}/api/status; starting ${c.clients} clients`);
    for (let i = 0; i < c.clients; i++) {
      const stateDir = path.join(dirs.state, `client-${i}`);
      group.start({
        name: `client ${i}`,
        args: clientArgs(c, i, `127.0.0.1:${port}`, stateDir),
        logFile: path.join(dirs.logs, `client-${i}.log`),
        nodeFlags: DAEMON_NODE_FLAGS,
      });
    }
    const finished = await watch.untilFinished(metricsPort, serverDataDir);
    const history = finished.history.slice(0, c.rounds);
    // The full record (assignments, Q, routed load, solver paths) for later analysis.
    writeJsonFile(path.join(c.outDir, 'history.json'), { history, q: finished.q });
    const rounds = history.map(roundFromRecord);
    const final = { ...summariseRun(rounds, c.clients), seconds: (performance.now() - started) / 1000 };
    return { run: { strategy: c.strategy, seed: c.seed, rounds, final }, history, pids: group.pids() };
  } finally {
    await group.stop();
  }
}
