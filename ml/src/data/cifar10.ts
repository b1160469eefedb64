/**
 * CIFAR-10 binary batches (`data_batch_1.bin` .. `data_batch_5.bin`, `test_batch.bin`). Each
 * record is 1 label byte (0..9) then 3,072 pixel bytes already in CHW order (1,024 red, green,
 * blue). A directory with only some batches is accepted; `DIR/cifar-10-batches-bin/` (the
 * archive's own folder) is looked into as well.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError } from '@flexmoe/shared';
import { readSourceFile } from './source';

/** Classes in CIFAR-10. */
export const CIFAR10_CLASSES = 10;
const PIXELS = 3 * 32 * 32;
const RECORD = 1 + PIXELS;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = 'test_batch.bin';

/** Labels and pixels of one or more batches. */
export interface CifarBatch {
  /** One label per record. */
  labels: Uint8Array;
  /** `records * 3072` pixel bytes, CHW per record. */
  pixels: Uint8Array;
}

/** Parses one batch file's bytes, checking record size and label range. */
export function parseCifarBatch(file: string, buf: Buffer): CifarBatch {
  if (buf.length === 0 || buf.length % RECORD !== 0) {
    throw new FileFormatError(`${file}: truncated, ${buf.length} bytes is not a whole number of ${RECORD}-byte records`);
  }
  const n = buf.length / RECORD;
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) {
    const label = buf[i * RECORD] as number;
    if (label >= CIFAR10_CLASSES) {
      throw new FileFormatError(`${file}: record ${i}: label ${label} out of range 0..${CIFAR10_CLASSES - 1}`);
    }
    labels[i] = label;
    pixels.set(buf.subarray(i * RECORD + 1, (i + 1) * RECORD), i * PIXELS);
  }
  return { labels, pixels };
}

function joinBatches(batches: CifarBatch[]): CifarBatch {
  const n = batches.reduce((s, b) => s + b.labels.length, 0);
  const out: CifarBatch = { labels: new Uint8Array(n), pixels: new Uint8Array(n * PIXELS) };
  let at = 0;
  for (const b of batches) {
    out.labels.set(b.labels, at);
    out.pixels.set(b.pixels, at * PIXELS);
    at += b.labels.length;
  }
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The directory actually holding the batches: `dir` or its `cifar-10-batches-bin/`. */
async function batchDir(dir: string): Promise<string> {
  if (!(await isDirectory(dir))) throw new FileFormatError(`${dir}: CIFAR-10 directory not found`);
  const nested = join(dir, 'cifar-10-batches-bin');
  return (await isDirectory(nested)) ? nested : dir;
}

/**
 * Reads the batches present in `dir`: `train` joins the data batches present, `test` is the test
 * batch; either is undefined when its files are absent (at least one must exist).
 */
export async function readCifar10(dir: string): Promise<{ train?: CifarBatch; test?: CifarBatch }> {
  const root = await batchDir(dir);
  const present = new Set(await readdir(root));
  const trainFiles = TRAIN_FILES.filter((f) => present.has(f)).map((f) => join(root, f));
  const readBatch = async (file: string): Promise<CifarBatch> => parseCifarBatch(file, await readSourceFile(file));
  const train = trainFiles.length > 0 ? joinBatches(await Promise.all(trainFiles.map(readBatch))) : undefined;
  const test = present.has(TEST_FILE) ? await readBatch(join(root, TEST_FILE)) : undefined;
  if (!train && !test) {
    throw new FileFormatError(`${dir}: no CIFAR-10 batch files (data_batch_1..5.bin, test_batch.bin)`);
  }
  return { train, test };
}
