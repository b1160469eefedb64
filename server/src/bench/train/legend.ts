/** Kept apart from the suite so the CLI can print it without loading the benchmark backends. */

/** How to read the train rows (printed under the table). */
export const TRAIN_LEGEND =
  'train: every implementation on one thread (ONNX Runtime intra-op 1, tfjs-wasm setThreadsCount(1), plain TS); ' +
  'value and baseline are the best of many short interleaved windows (JSON adds medians and rates per CPU second); ' +
  'GFLOP/s counts the matrix products of forward and backward';
