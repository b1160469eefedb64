/**
 * Data specs (`--data`): `fashion-mnist`, `idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]`,
 * `csv:FILE[,TEST_FILE]`, `cifar10:DIR`. User data without its own test split gets a seeded,
 * stratified held-out fraction (default 0.2).
 */
import { resolve } from 'node:path';
import { FileFormatError, InvalidArgumentError } from '@flexmoe/shared';
import { CIFAR10_CLASSES, readCifar10 } from './cifar10';
import type { CifarBatch } from './cifar10';
import { allocatorFor, datasetFromBytes, plainBytes } from './convert';
import { readCsv } from './csv';
import type { CsvTable } from './csv';
import { loadFashionMnist } from './fashion-mnist';
import { idxDataset, readIdxPair } from './idx';
import { checkTestFraction, DEFAULT_TEST_FRACTION, holdOut } from './ops';
import { inferShape, normaliseInPlace, resolveClasses } from './source';
import type { Dataset, LoadOptions, TrainTest } from './types';

/** A parsed data spec; file paths are absolute. */
export type DataSpec =
  | { kind: 'fashion-mnist' }
  | { kind: 'idx'; images: string; labels: string; testImages?: string; testLabels?: string }
  | { kind: 'csv'; file: string; testFile?: string }
  | { kind: 'cifar10'; dir: string };

const USAGE = 'expected fashion-mnist, idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS], csv:FILE[,TEST_FILE] or cifar10:DIR';

/** Parses a `--data` spec; relative paths resolve against the current directory. */
export function parseDataSpec(spec: string): DataSpec {
  const text = spec.trim();
  if (text === 'fashion-mnist') return { kind: 'fashion-mnist' };
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const args =
    colon < 0
      ? []
      : text
          .slice(colon + 1)
          .split(',')
          .map((s) => s.trim());
  const paths = args.map((p) => resolve(p));
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError(`data spec '${spec}': ${why}; ${USAGE}`);
  if (args.some((a) => a === '')) throw bad('empty path');
  switch (kind) {
    case 'idx':
      if (paths.length !== 2 && paths.length !== 4) throw bad(`idx takes 2 or 4 paths, got ${paths.length}`);
      return { kind, images: paths[0]!, labels: paths[1]!, testImages: paths[2], testLabels: paths[3] };
    case 'csv':
      if (paths.length !== 1 && paths.length !== 2) throw bad(`csv takes 1 or 2 paths, got ${paths.length}`);
      return { kind, file: paths[0]!, testFile: paths[1] };
    case 'cifar10':
      if (paths.length !== 1) throw bad(`cifar10 takes 1 directory, got ${paths.length}`);
      return { kind, dir: paths[0]! };
    default:
      throw bad(`unknown kind '${kind}'`);
  }
}

/** Splits off the held-out test set unless the source came with one. */
function withTest(train: Dataset, test: Dataset | undefined, opts: LoadOptions): TrainTest {
  if (test) return { train, test };
  return holdOut(train, opts.testFraction ?? DEFAULT_TEST_FRACTION, opts.seed ?? 0, allocatorFor(opts));
}

async function loadIdx(spec: Extract<DataSpec, { kind: 'idx' }>, opts: LoadOptions): Promise<TrainTest> {
  // Without a test split of its own, the pixels read here are transient (the held-out splits copy them).
  const alloc = spec.testImages ? allocatorFor(opts) : plainBytes;
  const train = await readIdxPair(spec.images, spec.labels, alloc);
  const test = spec.testImages && spec.testLabels ? await readIdxPair(spec.testImages, spec.testLabels, alloc) : undefined;
  if (test && test.shape.join('x') !== train.shape.join('x')) {
    throw new FileFormatError(`${spec.testImages}: test image shape [${test.shape.join(',')}] differs from train [${train.shape.join(',')}]`);
  }
  const sources = [{ file: spec.labels, labels: train.labels }];
  if (test) sources.push({ file: spec.testLabels!, labels: test.labels });
  const classes = resolveClasses(sources, opts.classes);
  const base = `idx:${spec.images}`;
  const testDs = test ? idxDataset(`${base}:test`, test, classes) : undefined;
  return withTest(idxDataset(test ? `${base}:train` : base, train, classes), testDs, opts);
}

function csvDataset(name: string, table: CsvTable, classes: number): Dataset {
  const n = table.labels.length;
  return { name, x: table.values, y: table.labels, n, shape: inferShape(table.features), classes };
}

async function loadCsv(spec: Extract<DataSpec, { kind: 'csv' }>, opts: LoadOptions): Promise<TrainTest> {
  const train = await readCsv(spec.file);
  const test = spec.testFile ? await readCsv(spec.testFile) : undefined;
  if (test && test.features !== train.features) {
    throw new FileFormatError(`${test.file}: ${test.features} values per row, train file has ${train.features}`);
  }
  normaliseInPlace(test ? [train.values, test.values] : [train.values]);
  const classes = resolveClasses(test ? [train, test] : [train], opts.classes);
  const base = `csv:${spec.file}`;
  const testDs = test ? csvDataset(`${base}:test`, test, classes) : undefined;
  return withTest(csvDataset(test ? `${base}:train` : base, train, classes), testDs, opts);
}

async function loadCifar(spec: Extract<DataSpec, { kind: 'cifar10' }>, opts: LoadOptions): Promise<TrainTest> {
  const { train, test } = await readCifar10(spec.dir);
  const toDataset = (name: string, b: CifarBatch): Dataset => datasetFromBytes(name, b.pixels, b.labels, [3, 32, 32], CIFAR10_CLASSES);
  const base = `cifar10:${spec.dir}`;
  if (train && test) return { train: toDataset(`${base}:train`, train), test: toDataset(`${base}:test`, test) };
  return withTest(toDataset(base, (train ?? test)!), undefined, opts);
}

/**
 * Loads a data spec into a train/test pair. Fashion-MNIST and CIFAR-10 with a test batch keep
 * their standard split; other user data holds out a seeded, stratified `testFraction`.
 * Throws `InvalidArgumentError` for a bad spec and `FileFormatError` naming the file for bad data.
 */
export async function loadDataSpec(spec: string, opts: LoadOptions = {}): Promise<TrainTest> {
  if (opts.testFraction !== undefined) checkTestFraction(opts.testFraction);
  const parsed = parseDataSpec(spec);
  switch (parsed.kind) {
    case 'fashion-mnist':
      return loadFashionMnist({ cacheDir: opts.cacheDir, logger: opts.logger });
    case 'idx':
      return loadIdx(parsed, opts);
    case 'csv':
      return loadCsv(parsed, opts);
    case 'cifar10':
      return loadCifar(parsed, opts);
  }
}
