/**
 * Helpers of the Docker Engine tests (`npm run test:docker`): the `docker` and `docker compose`
 * commands against the engine named by DOCKER_HOST, container facts read from the engine, polling
 * with a give-up limit, and the measurements file the tests append to.
 *
 * These tests refuse to run without DOCKER_HOST: scripts/test-docker.sh starts an engine of its
 * own and sets it, so a missing engine is a loud failure, never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ops-fixtures';

/** The docker client binary (Debian's docker.io in CI, see scripts/ci-docker/env.sh). */
export const DOCKER = process.env.FLEXMOE_CI_DOCKER_BIN || 'docker';
/** The compose project of the fleet test (its own, so a user's `flexmoe` project is untouched). */
export const PROJECT = 'flexmoeci';
const MEASUREMENTS = join(ROOT, 'test-output', 'docker-measurements.json');

/** Throws unless an engine is named: the caller must not silently skip. */
export function requireEngine(): void {
  if (!process.env.DOCKER_HOST)
    throw new Error('DOCKER_HOST is not set: run these tests with `npm run test:docker` (scripts/test-docker.sh starts the engine)');
}

/** Runs `docker ...args` and returns its stdout; throws with stderr when it fails. */
export function docker(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): string {
  try {
    return execFileSync(DOCKER, args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 600_000,
      input: options.input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`docker ${args.join(' ')} failed: ${e.message}\n${(e.stdout ?? '').slice(-3000)}\n${(e.stderr ?? '').slice(-3000)}`, { cause: err });
  }
}

/** Like `docker`, but returns the exit status and stdout plus stderr instead of throwing. */
export function dockerStatus(args: readonly string[]): { status: number; output: string } {
  const r = spawnSync(DOCKER, args, { cwd: ROOT, encoding: 'utf8', timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? 1, output: `${r.stdout}\n${r.stderr}` };
}

/** `docker compose -p flexmoeci -f docker-compose.yml -f <override> ...args`. */
export function compose(override: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  return docker(['compose', '-p', PROJECT, '-f', 'docker-compose.yml', '-f', override, ...args], { env });
}

/** A container's log, stdout and stderr (the daemons log JSON lines on stderr). */
export function containerLogs(name: string): string {
  const r = spawnSync(DOCKER, ['logs', name], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`docker logs ${name} failed: ${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

/** `docker inspect` of one object. */
export function inspect(name: string): any {
  return JSON.parse(docker(['inspect', name]))[0];
}

/** The container's address on its (only) compose network; the host reaches it directly. */
export function containerIp(name: string): string {
  const networks = inspect(name).NetworkSettings.Networks as Record<string, { IPAddress: string }>;
  const ip = Object.values(networks)[0]?.IPAddress;
  if (!ip) throw new Error(`${name} has no network address`);
  return ip;
}

/** Names of the project's containers of one service, sorted (client-1, client-2, ...). */
export function containersOf(service: string): string[] {
  return docker([
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.Names}}',
  ])
    .split('\n')
    .filter(Boolean)
    .sort();
}

/** Polls `probe` every second until it returns a value other than undefined; throws after `limitMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`gave up waiting for ${what} after ${limitMs / 1000} s${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** GET a JSON document. */
export async function getJson<T = any>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Merges `values` into test-output/docker-measurements.json (read by the docs, printed in CI). */
export function recordMeasurement(values: Record<string, unknown>): void {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(MEASUREMENTS, 'utf8'));
  } catch {
    // first measurement of this run
  }
  writeFileSync(MEASUREMENTS, `${JSON.stringify({ ...all, ...values }, null, 2)}\n`);
  console.log(`measured: ${JSON.stringify(values)}`);
}

/**
 * Peak memory of a running container's flexmoe process: VmHWM of the node process running
 * flexmoe.js (true resident peak) and the cgroup's max_usage (RSS plus page cache; cgroup v1).
 */
export function peakMemory(container: string): { vmHwmBytes: number; cgroupMaxBytes: number | null } {
  const script = `const fs=require('fs');let hwm=0;for(const p of fs.readdirSync('/proc')){if(!/^\\d+$/.test(p)||p==String(process.pid))continue;let cmd='';try{cmd=fs.readFileSync('/proc/'+p+'/cmdline','utf8')}catch{continue}if(!/entrypoint\\.js|flexmoe\\.js/.test(cmd))continue;const m=/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/'+p+'/status','utf8'));if(m)hwm=Math.max(hwm,Number(m[1])*1024)}let cg=null;for(const f of ['/sys/fs/cgroup/memory/memory.max_usage_in_bytes','/sys/fs/cgroup/memory.peak']){try{cg=Number(fs.readFileSync(f,'utf8'));break}catch{}}console.log(JSON.stringify({vmHwmBytes:hwm,cgroupMaxBytes:cg}))`;
  return JSON.parse(docker(['exec', container, 'node', '-e', script]).trim());
}

/** MiB with one decimal, for the measurements file. */
export const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
