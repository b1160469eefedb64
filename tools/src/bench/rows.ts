/**
 * One measured case of `flexmoe bench`. Every suite returns rows of this shape; `ratio` is
 * ours / baseline where both were measured in the same run (null when there is no baseline).
 */
export interface BenchRow {
  /** Suite name: `train`, `solver`, `system`, `scale`. */
  suite: string;
  /** What was measured, e.g. `onnx-step vs tfjs-wasm`. */
  name: string;
  /** Batch size where it applies (training rows), else null. */
  batch: number | null;
  /** Our measured value. */
  value: number;
  /** Unit of `value` and `baseline`, e.g. `samples/s`, `s`, `MB/s`. */
  unit: string;
  /** The baseline's value measured in the same run, or null. */
  baseline: number | null;
  /** value / baseline (or baseline / value for lower-is-better units, stated in `name`), or null. */
  ratio: number | null;
  /** Extra facts for the row (gap, load CV, sizes, notes). */
  [extra: string]: unknown;
}
