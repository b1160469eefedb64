/** Kept apart from the suite so the CLI can print it without loading the benchmark backends. */

/** How to read the train rows (printed under the table). */
export const TRAIN_LEGEND =
  'train: every implementation on one thread (ONNX Runtime intra-op 1, tfjs-wasm setThreadsCount(1), plain TS); ' +
  'value and baseline are rates per second of main-thread CPU time over interleaved windows (all the work runs ' +
  'on that thread: equal to wall-clock throughput on an idle machine, not diluted by other processes on a busy ' +
  'one; the JSON adds wall-clock best and median windows); ' +
  'GFLOP/s counts the matrix products of forward and backward; ' +
  "'<backbone> step vs pytorch': the product's step against the same step in PyTorch CPU (python3-torch), same " +
  'parameters and batch, interleaved windows; 1 thread: CPU-time rates of the computing thread on both sides; ' +
  'N threads and 2 vs 1: median wall-clock windows (noisy on a loaded machine)';
