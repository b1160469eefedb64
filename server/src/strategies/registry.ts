/**
 * Strategies by name: a registry of factories (name -> options -> strategy), so the CLI, the
 * experiment runner and embedders resolve `--strategy NAME` the same way and a strategy written
 * outside this package can be added under its own name. `strategyRegistry` holds the built-ins.
 */
import { ConfigError, NamedRegistry } from '@flexmoe/shared';
import type { Strategy, StrategyOptions } from './strategy';

/** Builds a strategy from the run's options (each strategy reads the options it knows). */
export type StrategyFactory = (options: StrategyOptions) => Strategy;

/** One registered strategy. */
export interface StrategyEntry {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly summary: string;
  readonly create: StrategyFactory;
}

/** Name -> factory; names are unique lower-case identifiers. */
export class StrategyRegistry {
  private readonly entries = new NamedRegistry<StrategyEntry>('strategy');

  /** Adds a strategy; `ConfigError` when the name is taken or not a lower-case identifier. */
  register(name: string, create: StrategyFactory, summary = ''): this {
    this.entries.register({ name, summary, create });
    return this;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return this.entries.names();
  }

  /** Registered strategies with their summaries. */
  list(): StrategyEntry[] {
    return this.entries.list();
  }

  /** Throws `ConfigError` naming the registered strategies unless `name` is one. */
  check(name: string): void {
    this.entries.get(name);
  }

  /** A new strategy by name; `ConfigError` listing the registered ones for an unknown name. */
  create(name: string, options: StrategyOptions = {}): Strategy {
    const strategy = this.entries.get(name).create(options);
    if (strategy.name !== name) throw new ConfigError(`strategy factory '${name}' built a strategy named '${strategy.name}'`);
    return strategy;
  }
}
