/**
 * Activations and gradients of one plain-TypeScript step, allocated once per batch size so the
 * timed loop does no allocation.
 */
import type { BenchMoeConfig } from './moe-config';
import type { FloatArray, FloatArrayCtor, MoeParams } from './params';

/** Per-expert activations and gradient scratch. */
export interface ExpertWork<A extends FloatArray> {
  /** Pre-activation then ReLU output of the hidden layer [B, expertHidden]. */
  hidden: A;
  /** Expert output [B, classes]. */
  out: A;
  /** Gradient w.r.t. the expert output [B, classes]. */
  dOut: A;
  /** Gradient w.r.t. the hidden layer [B, expertHidden]. */
  dHidden: A;
}

/** Every buffer of a step for a fixed batch size. */
export interface StepWork<A extends FloatArray> {
  batch: number;
  /** Backbone output after ReLU [B, hidden]. */
  h: A;
  /** Gate probabilities over all E experts [B, E]. */
  probs: A;
  /** Renormalised routing weight per assigned expert slot, 0 when not selected [B, k]. */
  route: A;
  /** 1 where slot j is among sample b's top-r [B, k] (a selected probability may underflow to 0). */
  selected: Uint8Array;
  /** Sum of the selected probabilities per sample [B]. */
  selectedMass: A;
  /** Combined prediction logits [B, classes]. */
  logits: A;
  /** Gradient w.r.t. logits [B, classes]. */
  dLogits: A;
  /** Gradient w.r.t. the routing weights [B, k]. */
  dRoute: A;
  /** Gradient w.r.t. the gate scores [B, E]. */
  dScores: A;
  /** Gradient w.r.t. the backbone output [B, hidden]. */
  dH: A;
  experts: ExpertWork<A>[];
  /** Gradients, same layout as the parameters. */
  grads: MoeParams<A>;
}

/** Allocates the buffers of one step. */
export function allocateWork<A extends FloatArray>(cfg: BenchMoeConfig, batch: number, ctor: FloatArrayCtor): StepWork<A> {
  const f = (n: number): A => new ctor(n) as A;
  const k = cfg.assigned.length;
  return {
    batch,
    h: f(batch * cfg.hiddenDim),
    probs: f(batch * cfg.numExperts),
    route: f(batch * k),
    selected: new Uint8Array(batch * k),
    selectedMass: f(batch),
    logits: f(batch * cfg.numClasses),
    dLogits: f(batch * cfg.numClasses),
    dRoute: f(batch * k),
    dScores: f(batch * cfg.numExperts),
    dH: f(batch * cfg.hiddenDim),
    experts: cfg.assigned.map(() => ({
      hidden: f(batch * cfg.expertHidden),
      out: f(batch * cfg.numClasses),
      dOut: f(batch * cfg.numClasses),
      dHidden: f(batch * cfg.expertHidden),
    })),
    grads: {
      backboneW: f(cfg.inputDim * cfg.hiddenDim),
      backboneB: f(cfg.hiddenDim),
      gateW: f(cfg.hiddenDim * cfg.numExperts),
      gateB: f(cfg.numExperts),
      experts: cfg.assigned.map(() => ({
        w1: f(cfg.hiddenDim * cfg.expertHidden),
        b1: f(cfg.expertHidden),
        w2: f(cfg.expertHidden * cfg.numClasses),
        b2: f(cfg.numClasses),
      })),
    },
  };
}
