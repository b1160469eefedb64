/**
 * The MoE training step in plain TypeScript over flat float arrays: forward, loss (softmax
 * cross-entropy plus the Switch-style load-balancing loss, top-r routing with renormalised
 * weights), hand-written backward pass and an SGD update. It is the benchmark's plain baseline and
 * an independent reference for the ONNX graphs (it runs in float64 too).
 */
import { InvalidArgumentError, ShapeError } from '@flexmoe/shared';
import type { BenchMoeConfig } from './moe-config';
import type { FloatArray, FloatArrayCtor, MoeParams } from './params';
import { allocateWork, type StepWork } from './ts-workspace';
import { columnSums, matmulBias, matmulTransA, matmulTransB, reluBackwardInPlace, reluInPlace, sgdUpdate } from './linalg';

/** Large finite negative for masked gate scores (-Infinity would give 0 * inf = NaN). */
const MASK = -1e9;

/** Loss parts of one step (before the update). */
export interface StepLoss {
  /** crossEntropy + auxWeight * aux. */
  loss: number;
  crossEntropy: number;
  aux: number;
}

/** A reusable plain-TypeScript step for one model config and precision. */
export class TsMoeStep<A extends FloatArray> {
  private readonly cfg: BenchMoeConfig;
  private readonly ctor: FloatArrayCtor;
  private work: StepWork<A> | null = null;
  /** Slot (0..k-1) of each global expert index, -1 when unassigned. */
  private readonly slotOf: Int32Array;
  /** Gate score bias per expert: 0 when assigned, MASK otherwise. */
  private readonly mask: Float64Array;

  constructor(cfg: BenchMoeConfig, ctor: FloatArrayCtor) {
    if (cfg.topR < 1 || cfg.topR > cfg.assigned.length) {
      throw new InvalidArgumentError(`topR must be in 1..${cfg.assigned.length} (assigned experts), got ${cfg.topR}`);
    }
    this.cfg = cfg;
    this.ctor = ctor;
    this.slotOf = new Int32Array(cfg.numExperts).fill(-1);
    this.mask = new Float64Array(cfg.numExperts).fill(MASK);
    cfg.assigned.forEach((e, j) => {
      if (!Number.isInteger(e) || e < 0 || e >= cfg.numExperts) throw new InvalidArgumentError(`assigned expert ${e} is not in 0..${cfg.numExperts - 1}`);
      this.slotOf[e] = j;
      this.mask[e] = 0;
    });
  }

  /** One SGD step in place on `params`; returns the loss before the update. */
  step(params: MoeParams<A>, x: A, labels: Int32Array): StepLoss {
    const loss = this.gradients(params, x, labels);
    const g = this.work!.grads;
    const lr = this.cfg.learningRate;
    sgdUpdate(params.backboneW, g.backboneW, lr);
    sgdUpdate(params.backboneB, g.backboneB, lr);
    sgdUpdate(params.gateW, g.gateW, lr);
    sgdUpdate(params.gateB, g.gateB, lr);
    params.experts.forEach((e, j) => {
      const ge = g.experts[j];
      sgdUpdate(e.w1, ge.w1, lr);
      sgdUpdate(e.b1, ge.b1, lr);
      sgdUpdate(e.w2, ge.w2, lr);
      sgdUpdate(e.b2, ge.b2, lr);
    });
    return loss;
  }

  /** Loss and gradients (returned buffers are reused by the next call). */
  gradients(params: MoeParams<A>, x: A, labels: Int32Array): StepLoss & { grads: MoeParams<A> } {
    const w = this.workFor(x, labels);
    const loss = this.forward(params, x, labels, w);
    this.backward(params, x, w);
    return { ...loss, grads: w.grads };
  }

  /** Loss only (for finite differences). */
  loss(params: MoeParams<A>, x: A, labels: Int32Array): StepLoss {
    return this.forward(params, x, labels, this.workFor(x, labels));
  }

  private workFor(x: A, labels: Int32Array): StepWork<A> {
    const batch = labels.length;
    if (batch < 1 || x.length !== batch * this.cfg.inputDim) {
      throw new ShapeError(`x has ${x.length} values, expected batch ${batch} x inputDim ${this.cfg.inputDim}`);
    }
    for (const l of labels) if (l < 0 || l >= this.cfg.numClasses) throw new InvalidArgumentError(`label ${l} is not in 0..${this.cfg.numClasses - 1}`);
    if (!this.work || this.work.batch !== batch) this.work = allocateWork<A>(this.cfg, batch, this.ctor);
    return this.work;
  }

  private forward(p: MoeParams<A>, x: A, labels: Int32Array, w: StepWork<A>): StepLoss {
    const { cfg } = this;
    const B = w.batch;
    matmulBias(x, p.backboneW, p.backboneB, w.h, B, cfg.inputDim, cfg.hiddenDim);
    reluInPlace(w.h, B * cfg.hiddenDim);
    matmulBias(w.h, p.gateW, p.gateB, w.probs, B, cfg.hiddenDim, cfg.numExperts);
    this.gateSoftmax(w);
    this.route(w);
    w.logits.fill(0);
    p.experts.forEach((e, j) => {
      const ew = w.experts[j];
      matmulBias(w.h, e.w1, e.b1, ew.hidden, B, cfg.hiddenDim, cfg.expertHidden);
      reluInPlace(ew.hidden, B * cfg.expertHidden);
      matmulBias(ew.hidden, e.w2, e.b2, ew.out, B, cfg.expertHidden, cfg.numClasses);
      this.addRouted(w, j);
    });
    const crossEntropy = this.crossEntropy(w, labels);
    const aux = this.auxLoss(w);
    return { loss: crossEntropy + cfg.auxWeight * aux, crossEntropy, aux };
  }

  /** probs (holding scores) := softmax(scores + mask) per row. */
  private gateSoftmax(w: StepWork<A>): void {
    const E = this.cfg.numExperts;
    for (let b = 0; b < w.batch; b++) {
      const o = b * E;
      let max = -Infinity;
      for (let e = 0; e < E; e++) {
        w.probs[o + e] += this.mask[e];
        if (w.probs[o + e] > max) max = w.probs[o + e];
      }
      let sum = 0;
      for (let e = 0; e < E; e++) sum += w.probs[o + e] = Math.exp(w.probs[o + e] - max);
      for (let e = 0; e < E; e++) w.probs[o + e] /= sum;
    }
  }

  /** Picks the top-r assigned experts per sample (ties to the lower index) and renormalises. */
  private route(w: StepWork<A>): void {
    const { numExperts: E, topR } = this.cfg;
    const k = this.cfg.assigned.length;
    w.route.fill(0);
    w.selected.fill(0);
    for (let b = 0; b < w.batch; b++) {
      let mass = 0;
      for (let t = 0; t < topR; t++) {
        let best = -1;
        for (let e = 0; e < E; e++) {
          const j = this.slotOf[e];
          if (j < 0 || w.selected[b * k + j]) continue;
          if (best < 0 || w.probs[b * E + e] > w.probs[b * E + best]) best = e;
        }
        w.selected[b * k + this.slotOf[best]] = 1;
        mass += w.probs[b * E + best];
      }
      w.selectedMass[b] = mass;
      for (let j = 0; j < k; j++) if (w.selected[b * k + j]) w.route[b * k + j] = w.probs[b * E + this.cfg.assigned[j]] / mass;
    }
  }

  /** logits += route[:, j] * expert j output. */
  private addRouted(w: StepWork<A>, j: number): void {
    const C = this.cfg.numClasses;
    const k = this.cfg.assigned.length;
    const out = w.experts[j].out;
    for (let b = 0; b < w.batch; b++) {
      const g = w.route[b * k + j];
      if (g === 0) continue;
      for (let c = 0; c < C; c++) w.logits[b * C + c] += g * out[b * C + c];
    }
  }

  /** Mean softmax cross-entropy; leaves dLoss/dlogits in dLogits. */
  private crossEntropy(w: StepWork<A>, labels: Int32Array): number {
    const C = this.cfg.numClasses;
    const B = w.batch;
    let total = 0;
    for (let b = 0; b < B; b++) {
      const o = b * C;
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (w.logits[o + c] > max) max = w.logits[o + c];
      let sum = 0;
      for (let c = 0; c < C; c++) sum += w.dLogits[o + c] = Math.exp(w.logits[o + c] - max);
      total += Math.log(sum) + max - w.logits[o + labels[b]];
      for (let c = 0; c < C; c++) w.dLogits[o + c] /= sum * B;
      w.dLogits[o + labels[b]] -= 1 / B;
    }
    return total / B;
  }

  /** Fraction of routing choices that went to slot j (each sample makes topR choices). */
  private routedFraction(w: StepWork<A>, j: number): number {
    const k = this.cfg.assigned.length;
    let n = 0;
    for (let b = 0; b < w.batch; b++) n += w.selected[b * k + j];
    return n / (w.batch * this.cfg.topR);
  }

  /** Switch-style balance loss over the k assigned experts: k * sum_j f_j * P_j. */
  private auxLoss(w: StepWork<A>): number {
    const E = this.cfg.numExperts;
    const k = this.cfg.assigned.length;
    let aux = 0;
    this.cfg.assigned.forEach((e, j) => {
      let meanProb = 0;
      for (let b = 0; b < w.batch; b++) meanProb += w.probs[b * E + e];
      aux += this.routedFraction(w, j) * (meanProb / w.batch);
    });
    return k * aux;
  }

  private backward(p: MoeParams<A>, x: A, w: StepWork<A>): void {
    const { cfg } = this;
    const B = w.batch;
    const g = w.grads;
    p.experts.forEach((e, j) => this.expertBackward(e, j, w));
    this.gateScoresBackward(w);
    matmulTransA(w.h, w.dScores, g.gateW, B, cfg.hiddenDim, cfg.numExperts);
    columnSums(w.dScores, g.gateB, B, cfg.numExperts);
    matmulTransB(w.dScores, p.gateW, w.dH, B, cfg.hiddenDim, cfg.numExperts, true);
    reluBackwardInPlace(w.dH, w.h, B * cfg.hiddenDim);
    matmulTransA(x, w.dH, g.backboneW, B, cfg.inputDim, cfg.hiddenDim);
    columnSums(w.dH, g.backboneB, B, cfg.hiddenDim);
  }

  /** Gradients of expert j; sets dRoute[:, j] and adds into dH (the first expert overwrites it). */
  private expertBackward(e: MoeParams<A>['experts'][number], j: number, w: StepWork<A>): void {
    const { hiddenDim: H, expertHidden: Eh, numClasses: C } = this.cfg;
    const k = this.cfg.assigned.length;
    const B = w.batch;
    const ew = w.experts[j];
    const ge = w.grads.experts[j];
    for (let b = 0; b < B; b++) {
      const r = w.route[b * k + j];
      let dr = 0;
      for (let c = 0; c < C; c++) {
        ew.dOut[b * C + c] = r * w.dLogits[b * C + c];
        dr += w.dLogits[b * C + c] * ew.out[b * C + c];
      }
      w.dRoute[b * k + j] = dr;
    }
    matmulTransA(ew.hidden, ew.dOut, ge.w2, B, Eh, C);
    columnSums(ew.dOut, ge.b2, B, C);
    matmulTransB(ew.dOut, e.w2, ew.dHidden, B, Eh, C, false);
    reluBackwardInPlace(ew.dHidden, ew.hidden, B * Eh);
    matmulTransA(w.h, ew.dHidden, ge.w1, B, H, Eh);
    columnSums(ew.dHidden, ge.b1, B, Eh);
    matmulTransB(ew.dHidden, e.w1, w.dH, B, H, Eh, j > 0);
  }

  /** dScores from the routing weights (through renormalisation), the aux loss, and the softmax. */
  private gateScoresBackward(w: StepWork<A>): void {
    const { numExperts: E, auxWeight } = this.cfg;
    const k = this.cfg.assigned.length;
    const B = w.batch;
    const auxGrad = this.cfg.assigned.map((_, j) => (auxWeight * k * this.routedFraction(w, j)) / B);
    for (let b = 0; b < B; b++) {
      let routedDot = 0;
      for (let j = 0; j < k; j++) routedDot += w.dRoute[b * k + j] * w.route[b * k + j];
      let dot = 0;
      for (let e = 0; e < E; e++) {
        const j = this.slotOf[e];
        let dp = 0;
        if (j >= 0) {
          if (w.selected[b * k + j]) dp = (w.dRoute[b * k + j] - routedDot) / w.selectedMass[b];
          dp += auxGrad[j];
        }
        w.dScores[b * E + e] = dp;
        dot += dp * w.probs[b * E + e];
      }
      for (let e = 0; e < E; e++) w.dScores[b * E + e] = w.probs[b * E + e] * (w.dScores[b * E + e] - dot);
    }
  }
}
