/**
 * Shared helpers of the operations tests: the repository root, YAML/compose loading with
 * compose-style `${VAR:-default}` interpolation, and the real `flexmoe` CLI's commands and flags
 * (read from `--help`, never from a list kept here).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root (tests run from `server/dist/test`). */
export const ROOT = join(__dirname, '..', '..', '..');
/** The `flexmoe` binary. */
export const BIN = join(ROOT, 'bin', 'flexmoe.js');

/** Text of a repository file. */
export function readRepo(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Compose variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$$`. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (all, name: string | undefined, op: string | undefined, def: string | undefined) => {
      if (all === '$$') return '$';
      const value = env[name!];
      if (op === ':-') return value === undefined || value === '' ? def! : value;
      if (op === '-') return value === undefined ? def! : value;
      return value ?? '';
    },
  );
}

/** One YAML document of a repository file (interpolated when `env` is given). */
export function loadYaml<T = any>(path: string, env?: Record<string, string | undefined>): T {
  const text = readRepo(path);
  return parse(env ? interpolate(text, env) : text) as T;
}

/** Every YAML document of a multi-document repository file. */
export function loadYamlDocs<T = any>(path: string): T[] {
  return parseAllDocuments(readRepo(path)).map((d) => {
    if (d.errors.length) throw new Error(`${path}: ${d.errors[0]!.message}`);
    return d.toJSON() as T;
  });
}

/** The environment without FLEXMOE_* variables, so a developer's settings cannot leak into tests. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEXMOE_')));
}

function runCli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: cleanEnv() });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The commands `flexmoe --help` lists. */
export function cliCommands(): Set<string> {
  const { out } = runCli(['--help']);
  const section = out.split(/^commands:$/m)[1] ?? '';
  return new Set([...section.matchAll(/^ {2}([a-z][a-z-]*)\s/gm)].map((m) => m[1]!));
}

const flagCache = new Map<string, Set<string> | null>();

/**
 * The flags `flexmoe <cmd> --help` documents, or null when that command is not built yet
 * (the dispatcher then says so instead of printing help).
 */
export function cliFlags(command: string): Set<string> | null {
  if (!flagCache.has(command)) {
    const { status, out } = runCli([command, '--help']);
    if (/is not built/.test(out)) flagCache.set(command, null);
    else {
      if (status !== 0) throw new Error(`flexmoe ${command} --help exited ${status}: ${out}`);
      flagCache.set(command, new Set([...out.matchAll(/^\s+--([a-z0-9][a-z0-9-]*)/gm)].map((m) => m[1]!)));
    }
  }
  return flagCache.get(command)!;
}

/** `--name=value` / `--name value` pairs of an argument list (values may be undefined). */
export function flagsOf(args: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq >= 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else out.set(a.slice(2), args[i + 1] !== undefined && !args[i + 1]!.startsWith('--') ? args[++i] : undefined);
  }
  return out;
}

/** True when `path` exists relative to the repository root. */
export function repoHas(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** First executable of `names` on PATH, or null. */
export function which(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
