import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';

/** The kinds of value an option takes. `list` is comma-separated (`--strategies a,b`). */
export type OptionType = 'string' | 'number' | 'integer' | 'boolean' | 'list';

/** One command-line option; the key in `CommandSpec.options` is its camelCase name. */
export interface OptionSpec {
  readonly type: OptionType;
  /** One line for `--help`; a function is called when help is printed (e.g. to list a registry). */
  readonly help: string | (() => string);
  /** Value when no source sets it. Options without a default and not required may be undefined. */
  readonly default?: string | number | boolean | readonly string[];
  readonly required?: boolean;
  /**
   * Allowed values (strings and list items). A function is called when the option is parsed or
   * help is printed: registries (backbones) may grow after the spec is built, by plugins.
   */
  readonly choices?: readonly string[] | (() => readonly string[]);
  /** Inclusive numeric bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Placeholder in help, e.g. `HOST:PORT`. */
  readonly arg?: string;
}

/** A command: its name, a summary and its options. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'number' | 'integer'
  ? number
  : O['type'] extends 'boolean'
    ? boolean
    : O['type'] extends 'list'
      ? string[]
      : string;

/** The typed, frozen option values of a command. */
export type OptionValues<S extends CommandSpec> = {
  readonly [K in keyof S['options']]: S['options'][K] extends { default: unknown } | { required: true }
    ? ValueOf<S['options'][K]>
    : ValueOf<S['options'][K]> | undefined;
} & { readonly config: string | undefined };

/** `--help` asked: the text to print. Otherwise the resolved options. */
export type ParsedCommand<S extends CommandSpec> =
  { readonly help: string; readonly options?: undefined } | { readonly help: null; readonly options: OptionValues<S> };

/** `metricsPort` -> `metrics-port`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `metricsPort` -> `FLEXMOE_METRICS_PORT`. */
export function envName(key: string): string {
  return `FLEXMOE_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}

/** The allowed values of an option now (undefined: any). */
function choicesOf(o: OptionSpec): readonly string[] | undefined {
  return typeof o.choices === 'function' ? o.choices() : o.choices;
}

/** The `--help` text of a command. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`usage: flexmoe ${spec.name} [options]`, '', spec.summary, '', 'options:'];
  const entries: [string, OptionSpec][] = [
    ...Object.entries(spec.options),
    ['config', { type: 'string', arg: 'FILE', help: 'JSON config file (keys are option names)' }],
  ];
  for (const [key, o] of entries) {
    const arg = o.type === 'boolean' ? '' : ` ${o.arg ?? o.type.toUpperCase()}`;
    const def = o.default === undefined ? '' : ` (default: ${String(o.default)})`;
    const allowed = choicesOf(o);
    const choices = allowed ? ` [${allowed.join('|')}]` : '';
    const help = typeof o.help === 'function' ? o.help() : o.help;
    lines.push(`  --${flagName(key)}${arg}`.padEnd(34) + `${help}${choices}${def}${o.required ? ' (required)' : ''}`);
  }
  lines.push('', 'Precedence: defaults < --config FILE < FLEXMOE_* environment < flags.', '  --help'.padEnd(34) + 'show this help');
  return lines.join('\n');
}

/**
 * Resolves a command's options from defaults < `--config FILE` < `FLEXMOE_*` env < flags,
 * validates every value once and returns them frozen. Throws `ConfigError` naming the source
 * (flag, variable or file) of a bad value.
 */
export function parseCommand<S extends CommandSpec>(spec: S, argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCommand<S> {
  if (argv.includes('--help') || argv.includes('-h')) return { help: formatHelp(spec) };
  const flags = readFlags(spec, argv);
  const configFlag = flags.get('config');
  const configPath = typeof configFlag === 'string' ? configFlag : env.FLEXMOE_CONFIG;
  const file = configPath === undefined ? new Map<string, unknown>() : readConfigFile(spec, configPath);
  const out: Record<string, unknown> = { config: configPath };
  for (const [key, o] of Object.entries(spec.options)) {
    let value: unknown = o.default;
    let source = 'default';
    if (file.has(key)) [value, source] = [file.get(key), `${configPath}: ${key}`];
    const fromEnv = env[envName(key)];
    if (fromEnv !== undefined && fromEnv !== '') [value, source] = [fromEnv, envName(key)];
    if (flags.has(key)) [value, source] = [flags.get(key), `--${flagName(key)}`];
    if (value === undefined) {
      if (o.required) throw new ConfigError(`missing required option --${flagName(key)} (see --help)`);
      out[key] = undefined;
      continue;
    }
    out[key] = coerce(o, value, source);
  }
  return { help: null, options: Object.freeze(out) as OptionValues<S> };
}

function readFlags(spec: CommandSpec, argv: readonly string[]): Map<string, string | boolean> {
  const byFlag = new Map(Object.keys(spec.options).map((k) => [flagName(k), k]));
  byFlag.set('config', 'config');
  const flags = new Map<string, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}' (options start with --; see --help)`);
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let negated = false;
    if (!byFlag.has(name) && name.startsWith('no-') && byFlag.has(name.slice(3))) [name, negated] = [name.slice(3), true];
    const key = byFlag.get(name);
    if (key === undefined) throw new ConfigError(`unknown option --${name} for 'flexmoe ${spec.name}' (see --help)`);
    const isBool = key !== 'config' && spec.options[key].type === 'boolean';
    if (isBool) {
      flags.set(key, negated ? false : eq >= 0 ? arg.slice(eq + 1) : true);
    } else if (eq >= 0) {
      flags.set(key, arg.slice(eq + 1));
    } else {
      if (i + 1 >= argv.length) throw new ConfigError(`option --${name} needs a value`);
      flags.set(key, argv[++i]);
    }
  }
  return flags;
}

function readConfigFile(spec: CommandSpec, file: string): Map<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  }
  const byName = new Map<string, string>();
  for (const key of Object.keys(spec.options)) [key, flagName(key)].forEach((n) => byName.set(n, key));
  const out = new Map<string, unknown>();
  for (const [name, value] of Object.entries(parsed)) {
    const key = byName.get(name);
    if (key === undefined) throw new ConfigError(`config file ${file}: unknown option '${name}' for 'flexmoe ${spec.name}'`);
    out.set(key, value);
  }
  return out;
}

function coerce(o: OptionSpec, raw: unknown, source: string): unknown {
  const bad = (why: string): never => {
    throw new ConfigError(`${source}: ${why} (got ${JSON.stringify(raw)})`);
  };
  switch (o.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return bad('expected a boolean');
    }
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) return bad('expected a number');
      if (o.type === 'integer' && !Number.isInteger(n)) return bad('expected an integer');
      if (o.min !== undefined && n < o.min) return bad(`must be at least ${o.min}`);
      if (o.max !== undefined && n > o.max) return bad(`must be at most ${o.max}`);
      return n;
    }
    case 'list': {
      const items = Array.isArray(raw)
        ? raw.map(String)
        : String(raw)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
      if (items.length === 0) return bad('expected a comma-separated list');
      const allowed = choicesOf(o);
      for (const item of items) if (allowed && !allowed.includes(item)) bad(`'${item}' is not one of ${allowed.join(', ')}`);
      return Object.freeze(items);
    }
    default: {
      if (typeof raw === 'object') return bad('expected a string');
      const s = String(raw as string | number | boolean);
      const allowed = choicesOf(o);
      if (allowed && !allowed.includes(s)) return bad(`expected one of ${allowed.join(', ')}`);
      return s;
    }
  }
}
