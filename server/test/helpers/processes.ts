/**
 * Real `flexmoe` processes for system tests: starts `node bin/flexmoe.js server ...` on port 0,
 * reads the bound ports from its startup line, and polls its HTTP status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as http from 'node:http';

/** Repository root (tests run from server/dist/test/helpers). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'flexmoe.js');

/** A running coordinator process. */
export interface ServerProcess {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly metricsPort: number;
  readonly address: string;
  /** Everything the process wrote to stderr (pino JSON logs). */
  readonly logs: () => string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** `--insecure` unless the arguments authenticate clients (tokens or a client CA). */
export function insecureUnlessSecured(args: readonly string[]): string[] {
  return args.some((a) => a === '--tokens' || a === '--tls-ca' || a === '--insecure') ? [] : ['--insecure'];
}

/** Starts `flexmoe server` with loopback ports chosen by the OS and waits for its startup line. */
export async function startServer(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const proc = spawn(
    process.execPath,
    [BIN, 'server', '--host', '127.0.0.1', '--port', '0', '--metrics-host', '127.0.0.1', '--metrics-port', '0', ...insecureUnlessSecured(args), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const ports = await new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening grpc=[^:]+:(\d+) metrics=[^:]+:(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), metricsPort: Number(m[2]) });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}`));
    }, reject);
  });
  return { proc, ...ports, address: `127.0.0.1:${ports.port}`, logs: () => stderr, exited };
}

/** Runs a flexmoe command to completion; resolves with its exit code and output. */
export function runFlexmoe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** GET a path on the HTTP port; resolves with status and body. */
export function httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The coordinator's /api/status document. */
export async function getStatus(port: number): Promise<any> {
  return JSON.parse((await httpGet(port, '/api/status')).body);
}

/** Polls /api/status until `predicate` holds; rejects after `timeoutMs` with the last status. */
export async function waitForStatus(port: number, predicate: (s: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      last = await getStatus(port);
      if (predicate(last)) return last;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status condition not met within ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

/** Value of a Prometheus sample `name{labels}` in the exposition text (undefined when absent). */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  const escaped = `${name}${labels}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Kills a process if still running and waits for it. */
export async function stopProcess(p: { proc: ChildProcess; exited: Promise<unknown> }, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill(signal);
  await p.exited;
}
