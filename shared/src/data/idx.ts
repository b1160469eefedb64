/**
 * MNIST-style IDX files (images + labels), plain or gzipped (detected by the gzip magic).
 *
 * Format: two zero bytes, a type byte (only 0x08 = unsigned byte is supported), a byte giving the
 * number of dimensions, one big-endian u32 per dimension, then the data. Image files have 3
 * dimensions (n, H, W) -> shape [1, H, W], or 2 (n, F) -> [1, 1, F]; label files have 1 (n).
 */
import { FileFormatError } from '../errors';
import type { Dataset } from './types';
import { datasetFromBytes } from './convert';
import { readSourceFile } from './source';

const UBYTE = 0x08;

/** The dimensions and raw bytes of one IDX file. */
export interface IdxArray {
  /** Sizes, first one is the sample count. */
  dims: number[];
  /** `prod(dims)` unsigned bytes. */
  data: Uint8Array;
}

/** Parses an IDX buffer read from `file`, checking magic, type, rank and length. */
export function parseIdx(file: string, buf: Buffer): IdxArray {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    const magic = buf.subarray(0, 4).toString('hex').padEnd(8, '-');
    throw new FileFormatError(`${file}: wrong magic number 0x${magic}, not an IDX file`);
  }
  const type = buf[2] as number;
  if (type !== UBYTE) {
    throw new FileFormatError(`${file}: IDX data type 0x${type.toString(16)} unsupported (only 0x08 unsigned byte)`);
  }
  const rank = buf[3] as number;
  const headerBytes = 4 + 4 * rank;
  if (rank < 1 || buf.length < headerBytes) {
    throw new FileFormatError(`${file}: truncated IDX header (rank ${rank}, ${buf.length} bytes)`);
  }
  const dims = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = buf.length - headerBytes;
  if (found < expected) {
    throw new FileFormatError(`${file}: truncated, expected ${expected} data bytes for dims [${dims.join(',')}], found ${found}`);
  }
  if (found > expected) {
    throw new FileFormatError(`${file}: ${found - expected} unexpected trailing bytes after dims [${dims.join(',')}]`);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerBytes, expected) };
}

/** Reads and parses one IDX file (gzip detected by magic). */
export async function readIdx(file: string): Promise<IdxArray> {
  return parseIdx(file, await readSourceFile(file));
}

/** Raw images + labels from an IDX pair, checked against each other; classes resolved later. */
export interface IdxPair {
  /** Per-sample shape `[C, H, W]`. */
  shape: [number, number, number];
  /** Pixel bytes, NCHW. */
  pixels: Uint8Array;
  /** One label per image. */
  labels: Uint8Array;
}

/** Reads an images file and a labels file and checks rank and counts agree. */
export async function readIdxPair(imagesFile: string, labelsFile: string): Promise<IdxPair> {
  // One after the other: with both files bad, the error always names the images file first.
  const images = await readIdx(imagesFile);
  const labels = await readIdx(labelsFile);
  const [n = 0, ...rest] = images.dims;
  let shape: [number, number, number];
  if (rest.length === 2) shape = [1, rest[0] as number, rest[1] as number];
  else if (rest.length === 1) shape = [1, 1, rest[0] as number];
  else throw new FileFormatError(`${imagesFile}: images need 2 or 3 IDX dimensions, found ${images.dims.length}`);
  if (labels.dims.length !== 1) {
    throw new FileFormatError(`${labelsFile}: labels need 1 IDX dimension, found ${labels.dims.length}`);
  }
  if (labels.dims[0] !== n) {
    throw new FileFormatError(`${imagesFile}: image count ${n} != label count ${labels.dims[0]} in ${labelsFile}`);
  }
  if (n === 0) throw new FileFormatError(`${imagesFile}: no images`);
  return { shape, pixels: images.data, labels: labels.data };
}

/** A Dataset from an IDX pair already checked by `readIdxPair`. */
export function idxDataset(name: string, pair: IdxPair, classes: number): Dataset {
  return datasetFromBytes(name, pair.pixels, pair.labels, pair.shape, classes);
}
