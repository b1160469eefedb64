/**
 * Plugins: modules that register backbones or strategies when imported (`registerBackbone` from
 * `@flexmoe/ml/model`, `strategyRegistry.register` from `@flexmoe/server`). A registration holds
 * in the thread that made it, so every process and thread that needs the names loads the same
 * plugin files: `flexmoe <command> --plugin FILE` loads them before the command and names them in
 * `FLEXMOE_PLUGINS`, which the Trainer's worker thread and the processes `flexmoe fleet` starts
 * inherit.
 */
import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';

/** Environment variable naming the plugin files (absolute paths joined by the path delimiter). */
export const PLUGINS_ENV = 'FLEXMOE_PLUGINS';

/** The plugin files `env` names (empty when it names none). */
export function pluginPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[PLUGINS_ENV] ?? '').split(delimiter).filter((p) => p.length > 0);
}

/** Loaded in this thread, by absolute path (an import runs a module once per thread anyway). */
const loaded = new Set<string>();

/**
 * Imports each plugin file (relative paths against the working directory) in order; ConfigError
 * naming the file when one cannot be loaded or throws while registering. Returns the absolute paths.
 */
export async function loadPlugins(paths: readonly string[]): Promise<string[]> {
  const absolute = paths.map((p) => resolve(p));
  for (const file of absolute) {
    if (loaded.has(file)) continue;
    try {
      await import(pathToFileURL(file).href);
    } catch (err) {
      throw new ConfigError(`cannot load plugin ${file}: ${(err as Error).message}`, { cause: err });
    }
    loaded.add(file);
  }
  return absolute;
}
