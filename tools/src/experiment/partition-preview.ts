/**
 * The fleet's view of the data before any process starts: loads the data spec once (which also
 * builds the Fashion-MNIST cache the client daemons then read), and computes every client's share
 * exactly as the daemons will (same partition, seed and cap) to print the partition table.
 */
import { formatPartitionTable, loadDataSpec, parseDataSpec, partitionSummary, shardIndices, type LabelledSet, type PartitionSummary } from '@flexmoe/ml/data';
import { loadFashionImages } from '@flexmoe/ml/data';

/** What the daemons of a fleet will load. */
export interface PartitionPreviewOptions {
  readonly data: string;
  readonly partition: string;
  readonly clients: number;
  /** Seed of the partition (the daemons' `--seed`). */
  readonly seed: number;
  readonly maxSamples?: number;
  /** Held-out fraction for data without a test split (the daemons' default). */
  readonly testFraction?: number;
}

/** Per-client train and test sizes and the class table. */
export interface PartitionPreview {
  /** Per-sample shape `[C, H, W]` and class count of the data (the coordinator's model needs them). */
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  readonly summary: PartitionSummary;
  readonly testSamples: number[];
  readonly table: string;
}

interface LabelSets {
  train: LabelledSet;
  test: LabelledSet;
  shape: readonly [number, number, number];
}

async function labelSets(o: PartitionPreviewOptions): Promise<LabelSets> {
  if (parseDataSpec(o.data).kind === 'fashion-mnist') {
    const images = await loadFashionImages();
    const { classes, nTrain, n } = images;
    return {
      shape: images.shape,
      train: { name: 'fashion-mnist:train', y: images.labels.subarray(0, nTrain), n: nTrain, classes },
      test: { name: 'fashion-mnist:test', y: images.labels.subarray(nTrain, n), n: n - nTrain, classes },
    };
  }
  const { train, test } = await loadDataSpec(o.data, { seed: o.seed, testFraction: o.testFraction ?? 0.2 });
  return { train, test, shape: train.shape };
}

/** Loads the data once and describes each client's share (train samples per class, test size). */
export async function previewPartition(o: PartitionPreviewOptions): Promise<PartitionPreview> {
  const { train, test, shape } = await labelSets(o);
  const shares = Array.from({ length: o.clients }, (_, index) =>
    shardIndices(train, test, o.partition, { index, count: o.clients }, o.seed, { maxSamples: o.maxSamples }),
  );
  const summary = partitionSummary(
    train,
    shares.map((s) => s.train),
  );
  const testSamples = shares.map((s) => s.test.length);
  const table = `${formatPartitionTable(summary)}\ntest samples per client: ${testSamples.join(' ')}`;
  return { shape, classes: train.classes, summary, testSamples, table };
}
