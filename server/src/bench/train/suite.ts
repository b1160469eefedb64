/**
 * The train suite: samples/s of one MoE training step at several batch sizes for our ONNX Runtime
 * step against the same step in plain TypeScript and in TensorFlow.js (WASM backend), all on one
 * thread and in the same process, plus the ONNX step's achieved GFLOP/s against a single-thread
 * ONNX Runtime MatMul peak measured in the same run.
 */
import type { BenchRow, Logger } from '@flexmoe/shared';
import { MODEL_DEFAULTS } from '@flexmoe/shared/dist/src/model/config';
import { FULL_BUDGET, QUICK_BUDGET, measureRate, type MeasureBudget } from '../measure';
import type { SuiteOptions } from '../suites';
import { measureMatMulPeak } from './matmul-peak';
import { stepFlopsPerSample, type BenchMoeConfig } from './moe-config';
import { loadGraphs, OnnxMoeStep } from './onnx-step';
import { convertParams, initParams, randomBatch } from './params';
import { loadTfjsWasm } from './tfjs-loader';
import { TfjsMoeStep } from './tfjs-step';
import { TsMoeStep } from './ts-step';

/** Batch sizes the suite measures. */
export const TRAIN_BATCHES: readonly number[] = Object.freeze([32, 64, 256]);

/** SGD steps per graph call the trainer uses by default (amortises parameter I/O). */
const TRAINER_STEPS_PER_CALL = 4;

/** The benchmark model: the product's default MLP model, 4 of its experts assigned. */
export function defaultBenchConfig(): BenchMoeConfig {
  const m = MODEL_DEFAULTS;
  return Object.freeze({
    inputDim: m.inputShape[0] * m.inputShape[1] * m.inputShape[2],
    hiddenDim: m.featureDim,
    numExperts: m.experts,
    assigned: Object.freeze(Array.from({ length: Math.min(4, m.experts) }, (_, i) => i)),
    topR: m.topR,
    expertHidden: m.expertHidden,
    numClasses: m.classes,
    auxWeight: m.auxWeight,
    learningRate: 0.05,
  });
}

/** Samples per second of each implementation at one batch size (null: not measured). */
interface BatchRates {
  batch: number;
  ts: number;
  tfjs: number;
  onnx: number | null;
  onnxMulti: number | null;
}

/** Runs the train suite and returns its rows. */
export async function runTrainSuite(opts: SuiteOptions = {}): Promise<BenchRow[]> {
  const budget = opts.quick ? QUICK_BUDGET : FULL_BUDGET;
  const log = opts.logger;
  const cfg = defaultBenchConfig();
  const graphs = loadGraphs();
  const onnxNote = 'unavailable' in graphs ? graphs.unavailable : null;
  if (onnxNote) log?.warn({ reason: onnxNote }, 'onnx step not measured');
  const tf = await loadTfjsWasm();
  const peak = await measureMatMulPeak(opts.quick ? 512 : 1024, budget);
  log?.info({ n: peak.n, gflops: round(peak.gflops) }, 'matmul peak measured');
  const rates: BatchRates[] = [];
  for (const batch of TRAIN_BATCHES) {
    const params = initParams<Float32Array>(cfg, Float32Array, 1);
    const { x, labels } = randomBatch<Float32Array>(cfg, batch, Float32Array, 2);
    const ts = await measureTs(cfg, params, x, labels, budget);
    const tfStep = new TfjsMoeStep(tf, cfg, params, x, labels);
    const tfjs = batch * (await measureRate(() => tfStep.step(), budget)).callsPerSecond;
    tfStep.dispose();
    let onnx: number | null = null;
    let onnxMulti: number | null = null;
    if (!('unavailable' in graphs)) {
      onnx = await measureOnnx(graphs, cfg, params, x, labels, 1, budget);
      onnxMulti = await measureOnnx(graphs, cfg, params, x, labels, TRAINER_STEPS_PER_CALL, budget);
    }
    const r = { batch, ts, tfjs, onnx, onnxMulti };
    log?.info(roundAll(r), 'train step measured (samples/s)');
    rates.push(r);
  }
  return trainRows(cfg, rates, peak.gflops, peak.n, onnxNote);
}

async function measureTs(cfg: BenchMoeConfig, params: ReturnType<typeof initParams<Float32Array>>, x: Float32Array, labels: Int32Array, budget: MeasureBudget): Promise<number> {
  const step = new TsMoeStep<Float32Array>(cfg, Float32Array);
  const own = convertParams<Float32Array>(params, Float32Array);
  return labels.length * (await measureRate(() => step.step(own, x, labels), budget)).callsPerSecond;
}

async function measureOnnx(
  graphs: Exclude<ReturnType<typeof loadGraphs>, { unavailable: string }>, cfg: BenchMoeConfig,
  params: ReturnType<typeof initParams<Float32Array>>, x: Float32Array, labels: Int32Array, steps: number, budget: MeasureBudget,
): Promise<number> {
  const step = await OnnxMoeStep.create(graphs, cfg, params, x, labels, steps);
  try {
    return labels.length * steps * (await measureRate(() => step.step(), budget)).callsPerSecond;
  } finally {
    await step.release();
  }
}

/** Builds the rows: ratios are ours / baseline. */
export function trainRows(cfg: BenchMoeConfig, rates: readonly BatchRates[], peakGflops: number, peakN: number, onnxNote: string | null): BenchRow[] {
  const flops = stepFlopsPerSample(cfg);
  const rows: BenchRow[] = [];
  const common = { threads: 1, model: `mlp ${cfg.inputDim}-${cfg.hiddenDim}, E=${cfg.numExperts} k=${cfg.assigned.length} r=${cfg.topR}, experts ${cfg.hiddenDim}-${cfg.expertHidden}-${cfg.numClasses}` };
  const row = (name: string, batch: number, value: number, unit: string, baseline: number, extra: Record<string, unknown> = {}): BenchRow => ({
    suite: 'train', name, batch, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline, 3), ...common, ...extra,
  });
  for (const r of rates) {
    if (r.onnx === null) {
      rows.push(row('tfjs-wasm step vs plain-ts step', r.batch, r.tfjs, 'samples/s', r.ts, { note: onnxNote }));
      continue;
    }
    const target64 = r.batch === 64 ? { target: '>= 15x', met: r.onnx / r.tfjs >= 15 } : {};
    rows.push(row('onnx step vs tfjs-wasm step', r.batch, r.onnx, 'samples/s', r.tfjs, target64));
    rows.push(row('onnx step vs plain-ts step', r.batch, r.onnx, 'samples/s', r.ts));
    rows.push(row(`onnx ${TRAINER_STEPS_PER_CALL} steps/call vs tfjs-wasm step`, r.batch, r.onnxMulti!, 'samples/s', r.tfjs));
    const gflops = (r.onnx * flops) / 1e9;
    const target256 = r.batch === 256 ? { target: '>= 0.5', met: gflops / peakGflops >= 0.5 } : {};
    rows.push(row('onnx step GFLOP/s vs ort matmul peak', r.batch, gflops, 'GFLOP/s', peakGflops, { flopsPerSample: flops, matmulN: peakN, ...target256 }));
  }
  return rows;
}

function round(v: number, digits = 4): number {
  const p = 10 ** Math.max(0, digits - Math.ceil(Math.log10(Math.abs(v) + 1e-12)));
  return Math.round(v * p) / p;
}

function roundAll(r: BatchRates): Record<string, number | null> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : round(v as number)]));
}
