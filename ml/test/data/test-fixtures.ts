/**
 * Small data files written by the data-layer tests into a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../../src/data/types';

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'flexmoe-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes of an unsigned-byte IDX file with the given dimensions and data. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(data))]);
}

/** Bytes of a CIFAR-10 binary batch with the given labels; pixel j of record i is (i + j) % 256. */
export function cifarBytes(labels: number[]): Buffer {
  const record = 3073;
  const buf = Buffer.alloc(labels.length * record);
  labels.forEach((label, i) => {
    buf[i * record] = label;
    for (let j = 0; j < 3072; j++) buf[i * record + 1 + j] = (i + j) % 256;
  });
  return buf;
}

/** An in-memory dataset with the given labels; sample i's single feature is i / n. */
export function labelledDataset(labels: number[], classes: number): Dataset {
  const n = labels.length;
  const x = Float32Array.from(labels, (_, i) => i / n);
  return { name: 'synthetic', x, y: Uint8Array.from(labels), n, shape: [1, 1, 1], classes };
}
