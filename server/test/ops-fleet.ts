/**
 * A small real fleet for the operations tests: the coordinator and client commands of
 * docker-compose.yml, run as local processes on loopback (ports, directories and sizes
 * overridden so rounds take about a second; clients go through the image's entrypoint, which
 * resolves their `--shard auto/N`), plus polling helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, cleanEnv, flagsOf, loadYaml } from './ops-fixtures';

/** A running fleet. */
export interface Fleet {
  readonly dir: string;
  readonly grpcPort: number;
  /** The coordinator's HTTP port (/metrics, /healthz, /api/status, dashboard). */
  readonly httpPort: number;
  readonly clientIds: readonly string[];
  readonly clientMetricsPorts: readonly number[];
  /** Collected stdout/stderr of every process (for failure messages). */
  logs: () => string;
  /** SIGTERM everything, SIGKILL what is still alive after 10 s, remove the directory. */
  stop(): Promise<void>;
}

/** Fleet shape. */
export interface FleetOptions {
  readonly clients: number;
  readonly rounds: number;
  readonly experts: number;
  readonly capacity: number;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Thrown by a probe to stop waiting at once (e.g. the process died). */
export class WaitAborted extends Error {}

/** Polls `probe` every 200 ms until it returns a value other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, context: () => string = () => ''): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof WaitAborted) throw new Error(`${what}: ${err.message}\n${context().slice(-4000)}`, { cause: err });
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}\n${context().slice(-4000)}`);
}

/** GET a URL as JSON. */
export async function getJson<T = any>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** GET a URL as text. */
export async function getText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/** Starts a process and keeps its output. */
export function startProcess(cmd: string, args: string[], log: string[], name: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => log.push(`[${name}] ${chunk.toString()}`);
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => log.push(`[${name}] exited code=${code} signal=${signal}\n`));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const ENTRYPOINT = join(ROOT, 'deploy', 'docker', 'entrypoint.js');
/** Makes the coordinator process lack what the server image lacks. */
const SERVER_IMAGE_PRELOAD = join(__dirname, 'ops-server-image-preload.js');

/** A compose service's command with some flags replaced, added (`true` = a bare flag) or removed (`null`). */
export function composeCommand(service: string, overrides: Record<string, string | true | null>, env: Record<string, string> = {}): string[] {
  const command: string[] = loadYaml('docker-compose.yml', env).services[service].command;
  const flags = flagsOf(command.slice(1));
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) flags.delete(k);
    else flags.set(k, v === true ? undefined : v);
  }
  return [command[0]!, ...[...flags].map(([k, v]) => (v === undefined ? `--${k}` : `--${k}=${v}`))];
}

async function startCoordinator(o: FleetOptions, dir: string, log: string[]): Promise<{ proc: ChildProcess; grpcPort: number; httpPort: number }> {
  const args = composeCommand('coordinator', {
    port: '0',
    'metrics-port': '0',
    host: '127.0.0.1',
    'metrics-host': '127.0.0.1',
    'data-dir': join(dir, 'coordinator'),
    rounds: String(o.rounds),
    experts: String(o.experts),
    'min-clients': String(o.clients),
    'round-deadline': '60',
    'log-level': 'warn',
    insecure: true,
    tokens: null,
    'status-token': null,
  });
  const proc = startProcess(process.execPath, ['--require', SERVER_IMAGE_PRELOAD, BIN, ...args], log, 'server');
  // The server prints its bound ports: `flexmoe server listening grpc=HOST:PORT metrics=HOST:PORT`.
  const ports = await waitFor(
    'the coordinator to listen',
    async () => {
      const m = /listening grpc=\S+:(\d+) metrics=\S+:(\d+)/.exec(log.join(''));
      if (proc.exitCode !== null) throw new WaitAborted('the coordinator exited');
      return m ? { grpcPort: Number(m[1]), httpPort: Number(m[2]) } : undefined;
    },
    20_000,
    () => log.join(''),
  );
  return { proc, ...ports };
}

/** Starts the compose coordinator and `o.clients` compose clients (shards capped at 300 samples). */
export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-ops-'));
  const log: string[] = [];
  const procs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(procs.map((p) => stopProcess(p)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const coord = await startCoordinator(o, dir, log);
    procs.push(coord.proc);
    const clientIds: string[] = [];
    const clientMetricsPorts: number[] = [];
    for (let i = 0; i < o.clients; i++) {
      const id = `ops-client-${i}`;
      const port = await freePort();
      const args = composeCommand(
        'client',
        {
          server: `127.0.0.1:${coord.grpcPort}`,
          capacity: String(o.capacity),
          id,
          'state-dir': join(dir, id),
          'metrics-port': String(port),
          'metrics-host': '127.0.0.1',
          'max-samples': '300',
          'log-level': 'warn',
        },
        { FLEXMOE_CLIENTS: String(o.clients) },
      );
      procs.push(startProcess(process.execPath, [ENTRYPOINT, ...args], log, id, { FLEXMOE_REPLICA_INDEX: String(i) }));
      clientIds.push(id);
      clientMetricsPorts.push(port);
    }
    return { dir, grpcPort: coord.grpcPort, httpPort: coord.httpPort, clientIds, clientMetricsPorts, logs: () => log.join(''), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
