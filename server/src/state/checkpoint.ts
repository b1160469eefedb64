/**
 * Atomic checkpoints of the coordinator's state, one file per completed round in the data
 * directory: `round-<NNNNNN>.ckpt` = magic, header length, JSON header (state + tensor index),
 * raw little-endian float32 tensors, SHA-256 of everything before it. Written to a temporary
 * file, fsynced, renamed, directory fsynced: a crash at any moment leaves either the old set of
 * files or the new one. The last few are kept so that a corrupt newest file (reported as a clear
 * error, never deleted) still leaves an earlier one to resume from.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MoEConfig } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import { CheckpointError } from '../errors';
import type { ClientRecord } from '../registry/client-registry';
import type { RoundRecord } from '../rounds/history';

const MAGIC = Buffer.from('FLXMCKP1', 'ascii');
const FILE_PATTERN = /^round-(\d{6,})\.ckpt$/;
const KEEP = 3;

/** Everything the coordinator needs to resume, besides the weights. */
export interface CheckpointState {
  readonly runId: string;
  readonly seed: number;
  readonly strategy: string;
  readonly model: MoEConfig;
  readonly totalRounds: number;
  readonly completedRounds: number;
  /** FitnessMatrix JSON (Q). */
  readonly fitness: unknown;
  /** The strategy's own state (deficits, warm start). */
  readonly strategyState: unknown;
  readonly clients: readonly ClientRecord[];
  /** Every round; per-client detail only for the recent ones (full records in history.jsonl). */
  readonly history: readonly RoundRecord[];
  /** Size of history.jsonl when this checkpoint was written (absent in older checkpoints). */
  readonly historyBytes?: number;
}

/** A checkpoint: state plus global parameters (backbone and experts; the gate is never here). */
export interface Checkpoint {
  readonly state: CheckpointState;
  readonly params: ParamMap;
}

interface TensorIndexEntry {
  name: string;
  length: number;
  offset: number;
}

/** File name of the checkpoint of `round`. */
export function checkpointFileName(round: number): string {
  return `round-${String(round).padStart(6, '0')}.ckpt`;
}

/** Serialises a checkpoint to bytes (exported for tests of corruption handling). */
export function encodeCheckpoint(cp: Checkpoint): Buffer {
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  const names = Object.keys(cp.params).sort();
  for (const name of names) {
    index.push({ name, length: cp.params[name]!.length, offset });
    offset += cp.params[name]!.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ version: 1, state: cp.state, tensors: index }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const blobs = names.map((n) => Buffer.from(cp.params[n]!.buffer, cp.params[n]!.byteOffset, cp.params[n]!.byteLength));
  const body = Buffer.concat([MAGIC, length, header, ...blobs]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Parses and verifies checkpoint bytes; throws CheckpointError naming `source` and the fault. */
export function decodeCheckpoint(bytes: Buffer, source: string): Checkpoint {
  const fail = (why: string): never => {
    throw new CheckpointError(`checkpoint ${source} is corrupt: ${why}`);
  };
  if (bytes.length < MAGIC.length + 4 + 32) fail('file too short');
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) fail('not a FlexMoE checkpoint (bad magic)');
  const body = bytes.subarray(0, bytes.length - 32);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(bytes.subarray(bytes.length - 32))
  )
    fail('SHA-256 mismatch');
  const headerLength = body.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  let header: { version: number; state: CheckpointState; tensors: TensorIndexEntry[] };
  try {
    header = JSON.parse(body.subarray(start, start + headerLength).toString('utf8')) as typeof header;
  } catch (err) {
    return fail(`header is not JSON (${(err as Error).message})`);
  }
  if (header.version !== 1) fail(`unsupported version ${header.version}`);
  const blob = body.subarray(start + headerLength);
  const params: ParamMap = {};
  for (const t of header.tensors) {
    if (t.offset + t.length * 4 > blob.length) fail(`tensor ${t.name} runs past the end`);
    const copy = new Float32Array(t.length);
    Buffer.from(copy.buffer).set(blob.subarray(t.offset, t.offset + t.length * 4));
    params[t.name] = copy;
  }
  return { state: header.state, params };
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes the checkpoint of `state.completedRounds` atomically and prunes all but the last few. */
export function writeCheckpoint(dataDir: string, cp: Checkpoint): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const target = path.join(dataDir, checkpointFileName(cp.state.completedRounds));
  const tmp = path.join(dataDir, `.tmp-${process.pid}-${Date.now()}.ckpt`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, encodeCheckpoint(cp));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
  fsyncDir(dataDir);
  prune(dataDir);
  return target;
}

/** Checkpoint files in `dataDir`, newest first. */
export function listCheckpoints(dataDir: string): string[] {
  if (!fs.existsSync(dataDir)) return [];
  return fs
    .readdirSync(dataDir)
    .filter((f) => FILE_PATTERN.test(f))
    .sort()
    .reverse()
    .map((f) => path.join(dataDir, f));
}

function prune(dataDir: string): void {
  for (const file of listCheckpoints(dataDir).slice(KEEP)) fs.rmSync(file, { force: true });
  for (const f of fs.readdirSync(dataDir)) {
    if (f.startsWith('.tmp-') && f.endsWith('.ckpt') && !f.startsWith(`.tmp-${process.pid}-`)) {
      fs.rmSync(path.join(dataDir, f), { force: true });
    }
  }
}

/**
 * Loads the newest checkpoint, or undefined when there is none. A corrupt newest file is a
 * CheckpointError that names it and the earlier files kept (nothing is deleted).
 */
export function loadLatestCheckpoint(dataDir: string): { checkpoint: Checkpoint; file: string } | undefined {
  const files = listCheckpoints(dataDir);
  if (files.length === 0) return undefined;
  const [newest, ...older] = files as [string, ...string[]];
  try {
    return { checkpoint: decodeCheckpoint(fs.readFileSync(newest), newest), file: newest };
  } catch (err) {
    const hint =
      older.length > 0
        ? `; earlier checkpoints are kept (${older.map((f) => path.basename(f)).join(', ')}): move ${path.basename(newest)} aside to resume from the previous one`
        : '';
    const message = err instanceof CheckpointError ? err.message : `cannot read checkpoint ${newest}: ${(err as Error).message}`;
    throw new CheckpointError(message + hint, { cause: err });
  }
}
