/**
 * Accumulates the per-call outputs of the training and evaluation graphs into run totals:
 * overall loss and accuracy, and per assigned expert usage, correct count and loss sum (of the
 * mixed model and of the expert's own logits).
 */
import type * as ort from 'onnxruntime-node';
import type { ExpertStats } from './types';

/** Run totals over any number of graph calls. */
export class SlotStats {
  private ceSum = 0;
  private correctSum = 0;
  private samples = 0;
  private readonly usage: Float64Array;
  private readonly correct: Float64Array;
  private readonly lossSum: Float64Array;
  private readonly ownCorrect: Float64Array;
  private readonly ownLossSum: Float64Array;

  constructor(private readonly assigned: readonly number[]) {
    this.usage = new Float64Array(assigned.length);
    this.correct = new Float64Array(assigned.length);
    this.lossSum = new Float64Array(assigned.length);
    this.ownCorrect = new Float64Array(assigned.length);
    this.ownLossSum = new Float64Array(assigned.length);
  }

  /** Adds one call's outputs (`ce_sum`, `correct_sum`, `slot_*`) over `n` samples. */
  add(out: ort.InferenceSession.OnnxValueMapType, n: number): void {
    this.ceSum += scalar(out.ce_sum);
    this.correctSum += scalar(out.correct_sum);
    this.samples += n;
    addInto(this.usage, out.slot_usage);
    addInto(this.correct, out.slot_correct);
    addInto(this.lossSum, out.slot_loss_sum);
    addInto(this.ownCorrect, out.slot_own_correct);
    addInto(this.ownLossSum, out.slot_own_loss_sum);
  }

  /** Mean loss, accuracy, sample count and one entry per assigned expert (in `assigned` order). */
  summary(): { loss: number; accuracy: number; samples: number; experts: ExpertStats[] } {
    const n = Math.max(1, this.samples);
    return {
      loss: this.ceSum / n,
      accuracy: this.correctSum / n,
      samples: this.samples,
      experts: this.assigned.map((expert, j) => ({
        expert,
        // Counts are exact integers; float32 accumulation inside one call stays exact below 2^24.
        usage: Math.round(this.usage[j]),
        correct: Math.round(this.correct[j]),
        lossSum: this.lossSum[j],
        ownCorrect: Math.round(this.ownCorrect[j]),
        ownLossSum: this.ownLossSum[j],
      })),
    };
  }
}

function scalar(v: ort.OnnxValue): number {
  return Number((v as ort.Tensor).data[0]);
}

function addInto(acc: Float64Array, v: ort.OnnxValue): void {
  const data = (v as ort.Tensor).data as Float32Array;
  for (let j = 0; j < acc.length; j++) acc[j] += data[j];
}
