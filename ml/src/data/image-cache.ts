/**
 * A compact binary cache of a uint8 image set: a 64-byte header, then labels, then pixels.
 * Written atomically (temp file + rename) so a reader never sees a half-written file, and
 * checked on read (magic, version, sizes, CRC-32 of the payload) so a corrupt file is rebuilt
 * instead of being trained on.
 *
 * Header (little-endian u32): magic "FXDS", version, n, C, H, W, classes, nTrain, crc32,
 * payload bytes; the rest is zero.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { FileFormatError } from '@flexmoe/shared';
import { writeFileAtomic } from '@flexmoe/shared';

const MAGIC = 0x53445846; // "FXDS" read as little-endian u32
const VERSION = 1;
const HEADER_BYTES = 64;

/** A uint8 image set with its train/test boundary (the first `nTrain` samples are train). */
export interface CachedImages {
  /** Total samples (train + test). */
  n: number;
  /** Per-sample shape `[C, H, W]`. */
  shape: [number, number, number];
  /** Class count. */
  classes: number;
  /** Samples `0..nTrain-1` are the train split, the rest the test split. */
  nTrain: number;
  /** One label per sample. */
  labels: Uint8Array;
  /** `n * C * H * W` raw pixel values 0..255, NCHW. */
  pixels: Uint8Array;
}

/** Writes `images` to `path` durably and atomically (writeFileAtomic). */
export async function writeImageCache(path: string, images: CachedImages): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const header = Buffer.alloc(HEADER_BYTES);
  const payloadBytes = images.labels.length + images.pixels.length;
  const crc = crc32(images.pixels, crc32(images.labels));
  const fields = [MAGIC, VERSION, images.n, ...images.shape, images.classes, images.nTrain, crc, payloadBytes];
  fields.forEach((v, i) => header.writeUInt32LE(v >>> 0, i * 4));
  await writeFileAtomic(path, [header, images.labels, images.pixels]);
}

/**
 * Reads and validates a cache file. Throws `FileFormatError` naming the file and the problem
 * (bad magic, unknown version, truncated, checksum mismatch); a missing file rethrows ENOENT.
 */
export async function readImageCache(path: string): Promise<CachedImages> {
  const buf = await readFile(path);
  if (buf.length < HEADER_BYTES) throw new FileFormatError(`${path}: truncated cache header (${buf.length} bytes)`);
  const field = (i: number): number => buf.readUInt32LE(i * 4);
  if (field(0) !== MAGIC) throw new FileFormatError(`${path}: wrong magic number, not a dataset cache`);
  if (field(1) !== VERSION) throw new FileFormatError(`${path}: cache version ${field(1)}, expected ${VERSION}`);
  const n = field(2);
  const shape: [number, number, number] = [field(3), field(4), field(5)];
  const perSample = shape[0] * shape[1] * shape[2];
  const payloadBytes = field(9);
  if (payloadBytes !== n * (1 + perSample) || buf.length !== HEADER_BYTES + payloadBytes) {
    throw new FileFormatError(`${path}: truncated or oversized cache (${buf.length} bytes for ${n} samples)`);
  }
  const labels = new Uint8Array(buf.buffer, buf.byteOffset + HEADER_BYTES, n);
  const pixels = new Uint8Array(buf.buffer, buf.byteOffset + HEADER_BYTES + n, n * perSample);
  if (crc32(pixels, crc32(labels)) >>> 0 !== field(8)) {
    throw new FileFormatError(`${path}: cache checksum mismatch (corrupt file)`);
  }
  const classes = field(6);
  const nTrain = field(7);
  if (nTrain > n) throw new FileFormatError(`${path}: train count ${nTrain} exceeds sample count ${n}`);
  return { n, shape, classes, nTrain, labels, pixels };
}
