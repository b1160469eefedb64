/**
 * Named extension points (strategies, backbones): entries registered under unique lower-case
 * names, looked up by name with a ConfigError that lists what is registered, so every caller
 * (CLI flags, config files, the coordinator's API) reports an unknown name the same way.
 */
import { ConfigError } from '../errors';

/** A registry of entries by their `name`. */
export class NamedRegistry<T extends { readonly name: string }> {
  private readonly entries = new Map<string, T>();

  /** @param what the kind of entry, for messages (`strategy`, `backbone`). */
  constructor(readonly what: string) {}

  /** Adds an entry; ConfigError when its name is taken or not lower-case letters, digits and '-'. */
  register(entry: T): this {
    const name = entry.name;
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new ConfigError(`${this.what} name '${name}' must be lower-case letters, digits and '-', starting with a letter`);
    if (this.entries.has(name)) throw new ConfigError(`${this.what} '${name}' is already registered`);
    this.entries.set(name, entry);
    return this;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Registered entries, in registration order. */
  list(): T[] {
    return [...this.entries.values()];
  }

  /** The entry named `name`; ConfigError listing the registered names otherwise. */
  get(name: string): T {
    const entry = this.entries.get(name);
    if (!entry) throw new ConfigError(`unknown ${this.what} '${name}' (registered: ${this.names().join(', ')})`);
    return entry;
  }
}
