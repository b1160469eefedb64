/**
 * The train suite: samples/s of one MoE training step at several batch sizes for our ONNX Runtime
 * step against the same step in plain TypeScript and in TensorFlow.js (WASM backend), all on one
 * thread and in the same process, plus the ONNX step's achieved GFLOP/s against a single-thread
 * ONNX Runtime MatMul peak measured in the same run; then the product's step for each backbone
 * against PyTorch CPU (`pytorch-rows.ts`).
 */
import type { BenchRow } from '../rows';
import { FULL_BUDGET, QUICK_BUDGET, measureInterleaved, type MeasureBudget, type Measurement, type WorkFn } from '../measure';
import type { SuiteOptions } from '../suites';
import { createMatMulRunner, type MatMulRunner } from './matmul-peak';
import { DEFAULT_BENCH_MOE, stepFlopsPerSample, type BenchMoeConfig } from './moe-config';
import { loadModelGraphs, OnnxMoeStep, type ModelGraphs } from './onnx-step';
import type { BackboneKind } from '@flexmoe/ml/model';
import { pytorchRows } from './pytorch-rows';
import { DEFAULT_STEPS_PER_CALL } from '@flexmoe/ml/training';
import { convertParams, initParams, randomBatch } from './params';
import { loadTfjsWasm } from './tfjs-loader';
import { TfjsMoeStep } from './tfjs-step';
import { TsMoeStep } from './ts-step';

/** Batch sizes the suite measures. */
export const TRAIN_BATCHES: readonly number[] = Object.freeze([32, 64, 256]);

/** SGD steps per graph call the trainer uses by default (amortises parameter I/O). */
const TRAINER_STEPS_PER_CALL = DEFAULT_STEPS_PER_CALL;

/** A measured rate: per second of main-thread CPU time, and wall-clock best and median windows. */
export interface Rate {
  best: number;
  median: number;
  cpu: number;
}

/** Samples per second of each implementation at one batch size (null: not measured). */
export interface BatchRates {
  batch: number;
  ts: Rate;
  tfjs: Rate;
  onnx: Rate | null;
  onnxMulti: Rate | null;
  /** ONNX Runtime MatMul GFLOP/s measured in windows interleaved with the steps. */
  peakGflops: Rate;
}

/** Train-suite options beyond the common ones (for tests and custom runs). */
export interface TrainSuiteOptions extends SuiteOptions {
  /** Batch sizes (default `TRAIN_BATCHES`). */
  batches?: readonly number[];
  /** Timing budget (default: quick or full). */
  budget?: MeasureBudget;
  /** MatMul peak matrix size (default 1024, 512 with `quick`). */
  matmulN?: number;
  /** Backbones compared with PyTorch (default `TORCH_BACKBONES`). */
  torchBackbones?: readonly BackboneKind[];
}

/** Runs the train suite and returns its rows. */
export async function runTrainSuite(opts: TrainSuiteOptions = {}): Promise<BenchRow[]> {
  const budget = opts.budget ?? (opts.quick ? QUICK_BUDGET : FULL_BUDGET);
  const log = opts.logger;
  const cfg = DEFAULT_BENCH_MOE;
  const graphs = loadModelGraphs();
  const onnxNote = 'unavailable' in graphs ? graphs.unavailable : null;
  if (onnxNote) log?.warn({ reason: onnxNote }, 'onnx step not measured');
  const tf = await loadTfjsWasm();
  const matmul = await createMatMulRunner(opts.matmulN ?? (opts.quick ? 512 : 1024));
  const rates: BatchRates[] = [];
  try {
    for (const batch of opts.batches ?? TRAIN_BATCHES) {
      const r = await measureBatch(cfg, batch, tf, 'unavailable' in graphs ? null : graphs, matmul, budget);
      log?.info(roundAll(r), 'train step measured (samples/s)');
      rates.push(r);
    }
  } finally {
    await matmul.release();
  }
  const rows = trainRows(cfg, rates, matmul.n, onnxNote);
  if (onnxNote) return rows;
  const peaks = rates.map((r) => r.peakGflops.cpu).sort((a, b) => a - b);
  const peak = peaks.length > 0 ? peaks[Math.floor(peaks.length / 2)] : null;
  return [...rows, ...(await pytorchRows(opts.batches ?? TRAIN_BATCHES, budget, log, opts.torchBackbones, peak))];
}

/** Measures every implementation at one batch size, in interleaved windows. */
async function measureBatch(
  cfg: BenchMoeConfig,
  batch: number,
  tf: Awaited<ReturnType<typeof loadTfjsWasm>>,
  graphs: ModelGraphs | null,
  matmul: MatMulRunner,
  budget: MeasureBudget,
): Promise<BatchRates> {
  const params = initParams<Float32Array>(cfg, Float32Array, 1);
  const { x, labels } = randomBatch<Float32Array>(cfg, batch, Float32Array, 2);
  const ts = new TsMoeStep<Float32Array>(cfg, Float32Array);
  const tsParams = convertParams<Float32Array>(params, Float32Array);
  const tfStep = new TfjsMoeStep(tf, cfg, params, x, labels);
  const onnx = graphs ? await OnnxMoeStep.create(graphs, cfg, params, x, labels, 1) : null;
  const onnxMulti = graphs ? await OnnxMoeStep.create(graphs, cfg, params, x, labels, TRAINER_STEPS_PER_CALL) : null;
  try {
    const cases: Record<string, WorkFn> = {
      ts: () => ts.step(tsParams, x, labels),
      tfjs: () => tfStep.step(),
      peak: () => matmul.run(),
    };
    if (onnx && onnxMulti) Object.assign(cases, { onnx: () => onnx.step(), onnxMulti: () => onnxMulti.step() });
    const m = await measureInterleaved(cases, budget);
    const rate = (x: Measurement | undefined, perCall: number): Rate | null =>
      x ? { best: x.callsPerSecond * perCall, median: x.medianCallsPerSecond * perCall, cpu: x.cpuCallsPerSecond * perCall } : null;
    return {
      batch,
      ts: rate(m.ts, batch)!,
      tfjs: rate(m.tfjs, batch)!,
      onnx: rate(m.onnx, batch),
      onnxMulti: rate(m.onnxMulti, batch * TRAINER_STEPS_PER_CALL),
      peakGflops: rate(m.peak, matmul.flopsPerCall / 1e9)!,
    };
  } finally {
    tfStep.dispose();
    await onnx?.release();
    await onnxMulti?.release();
  }
}

/**
 * Builds the rows. value and baseline are rates per second of main-thread CPU time (all the work
 * runs on that thread, so on an idle machine this equals wall-clock throughput, and on a shared one
 * it is not diluted by other processes); ratio = ours / baseline. The wall-clock best and median
 * windows ride along.
 */
export function trainRows(cfg: BenchMoeConfig, rates: readonly BatchRates[], peakN: number, onnxNote: string | null): BenchRow[] {
  const flops = stepFlopsPerSample(cfg);
  const rows: BenchRow[] = [];
  const model = `mlp ${cfg.inputDim}-${cfg.hiddenDim}, E=${cfg.numExperts} k=${cfg.assigned.length} r=${cfg.topR}, experts ${cfg.hiddenDim}-${cfg.expertHidden}-${cfg.numClasses}`;
  const row = (name: string, batch: number, ours: Rate, unit: string, base: Rate, extra: Record<string, unknown> = {}): BenchRow => ({
    suite: 'train',
    name,
    batch,
    value: round(ours.cpu),
    unit,
    baseline: round(base.cpu),
    ratio: round(ours.cpu / base.cpu, 3),
    valueWallBest: round(ours.best),
    baselineWallBest: round(base.best),
    ratioWallBest: round(ours.best / base.best, 3),
    valueWallMedian: round(ours.median),
    baselineWallMedian: round(base.median),
    ratioWallMedian: round(ours.median / base.median, 3),
    threads: 1,
    model,
    ...extra,
  });
  const toGflops = (r: Rate): Rate => ({ best: (r.best * flops) / 1e9, median: (r.median * flops) / 1e9, cpu: (r.cpu * flops) / 1e9 });
  for (const r of rates) {
    if (r.onnx === null || r.onnxMulti === null) {
      rows.push(row('tfjs-wasm step vs plain-ts step', r.batch, r.tfjs, 'samples/s', r.ts, { note: onnxNote }));
      continue;
    }
    const target64 = r.batch === 64 ? { target: '>= 15x', met: r.onnx.cpu / r.tfjs.cpu >= 15 } : {};
    rows.push(row('onnx step vs tfjs-wasm step (1 thread)', r.batch, r.onnx, 'samples/s', r.tfjs, target64));
    rows.push(row('onnx step vs plain-ts step', r.batch, r.onnx, 'samples/s', r.ts));
    rows.push(row(`onnx ${TRAINER_STEPS_PER_CALL} steps/call vs tfjs-wasm step`, r.batch, r.onnxMulti, 'samples/s', r.tfjs));
    const gflops = toGflops(r.onnx);
    const target256 = r.batch === 256 ? { target: '>= 0.5', met: gflops.cpu / r.peakGflops.cpu >= 0.5 } : {};
    rows.push(row('onnx step GFLOP/s vs ort matmul peak', r.batch, gflops, 'GFLOP/s', r.peakGflops, { flopsPerSample: flops, matmulN: peakN, ...target256 }));
  }
  return rows;
}

function round(v: number, digits = 4): number {
  const p = 10 ** Math.max(0, digits - Math.ceil(Math.log10(Math.abs(v) + 1e-12)));
  return Math.round(v * p) / p;
}

/** Rates per CPU second, rounded, for the progress log. */
function roundAll(r: BatchRates): Record<string, number | null> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : round(typeof v === 'number' ? v : (v as Rate).cpu)]));
}
