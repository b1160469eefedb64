/**
 * The daemon's own directory: its persistent client id, its personal gate (which never leaves this
 * machine) and the personalised inference model written after every round.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, InvalidArgumentError } from '@flexmoe/shared';
import { writeFileAtomic } from '@flexmoe/shared';
import { loadTensors, saveTensors, type NamedTensor } from './tensor-file';

const ID_FILE = 'client-id';
const GATE_FILE = 'gate.bin';
const MODEL_FILE = 'model.onnx';
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A shard of a simulated fleet: client `index` of `count`. */
export interface ShardRef {
  index: number;
  count: number;
}

/** Checks a client id: 1-128 characters of letters, digits, `.`, `_`, `-`, starting alphanumeric. */
export function validateClientId(id: string, field = 'client id'): string {
  if (!ID_PATTERN.test(id)) {
    throw new InvalidArgumentError(`${field} '${id}' must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit`);
  }
  return id;
}

/** The default id: stable for this machine and shard (hostname, plus `-sI-N` for a simulated shard). */
export function defaultClientId(shard?: ShardRef, hostname = os.hostname()): string {
  const host =
    hostname
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 100) || 'client';
  return shard ? `${host}-s${shard.index}-${shard.count}` : host;
}

/** The default state directory: one per shard so simulated clients on one host do not share a gate. */
export function defaultStateDir(shard?: ShardRef): string {
  const leaf = shard ? `client-s${shard.index}-${shard.count}` : 'client';
  return path.join(os.homedir(), '.flexmoe', leaf);
}

/** Access to one state directory. Create with `StateDir.open`. */
export class StateDir {
  private constructor(readonly dir: string) {}

  /** Opens (creating if needed) a state directory and checks it is writable. */
  static async open(dir: string): Promise<StateDir> {
    const resolved = path.resolve(dir);
    try {
      await fs.mkdir(resolved, { recursive: true, mode: 0o700 });
      await fs.access(resolved, fs.constants.W_OK);
    } catch (err) {
      throw new ConfigError(`--state-dir ${resolved}: not a writable directory`, { cause: err });
    }
    return new StateDir(resolved);
  }

  /** Where the personalised inference model lives. */
  get modelPath(): string {
    return path.join(this.dir, MODEL_FILE);
  }

  /** Where the personal gate lives. */
  get gatePath(): string {
    return path.join(this.dir, GATE_FILE);
  }

  /**
   * The client id to use: `requested` when given (and then persisted), else the persisted one,
   * else `fallback` (persisted so the id survives a hostname change).
   */
  async resolveClientId(requested: string | undefined, fallback: string): Promise<string> {
    const file = path.join(this.dir, ID_FILE);
    if (requested !== undefined) validateClientId(requested, '--id');
    const stored = await fs.readFile(file, 'utf8').then(
      (s) => s.trim(),
      () => undefined,
    );
    const id = requested ?? (stored ? validateClientId(stored, file) : validateClientId(fallback));
    if (id !== stored) await writeFileAtomic(file, `${id}\n`);
    return id;
  }

  /** Saves the personal gate (atomic), tagged with the model signature it belongs to. */
  async saveGate(tensors: NamedTensor[], signature: string): Promise<void> {
    await saveTensors(this.gatePath, tensors, { signature, savedAt: new Date().toISOString() });
  }

  /**
   * Loads the personal gate when one exists for the same model signature; null when there is none
   * or it belongs to a differently shaped model (a new run starts a fresh gate).
   */
  async loadGate(signature: string): Promise<NamedTensor[] | null> {
    const loaded = await loadTensors(this.gatePath);
    if (!loaded || loaded.meta.signature !== signature) return null;
    return loaded.tensors;
  }

  /** Writes the personalised inference model atomically. */
  async writeModel(bytes: Uint8Array): Promise<void> {
    await writeFileAtomic(this.modelPath, bytes);
  }
}
