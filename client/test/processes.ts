/**
 * Test support: real `flexmoe` processes with their JSON log lines collected, and free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import path from 'node:path';

/** The repository root (tests run from client/dist/test). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(REPO, 'bin', 'flexmoe.js');

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A running `flexmoe` command. */
export interface FlexmoeProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  stdout(): string;
  stderrText(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first log line (past or future) matching, or rejects after `timeoutMs`. */
  waitFor(what: string, match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Lines whose msg equals `msg`. */
  messages(msg: string): LogLine[];
}

/**
 * Starts `node bin/flexmoe.js ...args`. `launcher` replaces `node` (e.g. an emulator followed by
 * another architecture's node binary).
 */
export function startFlexmoe(args: string[], env: Record<string, string> = {}, launcher: readonly string[] = [process.execPath]): FlexmoeProcess {
  const [command, ...prefix] = launcher;
  // Test daemons share the machine with each other and the rest of the suite, like `flexmoe fleet`'s:
  // one intra-op thread each unless a test says otherwise (a daemon's default is all cores).
  const child = spawn(command, [...prefix, BIN, ...args], {
    cwd: REPO,
    env: { FLEXMOE_THREADS: '1', ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const events = new EventEmitter();
  let out = '';
  let err = '';
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    events.emit('line');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    err += text;
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // not a log line (e.g. a plain error message); kept in stderrText()
      }
    }
    events.emit('line');
  });
  let exitCode: number | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code ?? -1;
      events.emit('line');
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    exited,
    stdout: () => out,
    stderrText: () => err,
    messages: (msg) => lines.filter((l) => l.msg === msg),
    waitFor(what, match, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = lines.find(match);
          if (found) {
            cleanup();
            resolve(found);
            return true;
          }
          if (exitCode !== undefined) {
            cleanup();
            reject(new Error(`process exited (${exitCode}) before: ${what}\n${err.slice(-3000)}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for: ${what}\n${err.slice(-3000)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          events.off('line', check);
        };
        if (!check()) events.on('line', check);
      });
    },
  };
}

/** Waits until stdout contains a line matching `pattern`; returns the match. */
export async function waitForStdout(proc: FlexmoeProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  const started = Date.now();
  for (;;) {
    const m = pattern.exec(proc.stdout());
    if (m) return m;
    if (Date.now() - started > timeoutMs) throw new Error(`no ${pattern} on stdout:\n${proc.stderrText().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port that was free a moment ago (for a coordinator restarted on the same port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Kills a process if it is still running (test cleanup). */
export function killQuietly(proc: FlexmoeProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
}
