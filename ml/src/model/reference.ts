/**
 * A plain-TypeScript float64 forward pass of the MoE model, written independently of the ONNX
 * graphs: the yardstick for the per-expert statistics and for finite-difference gradient checks
 * of graphs that ONNX Runtime can only run in float32 (convolutions). Slow; small inputs only.
 */
import { effectiveTopR, MoEConfig } from '@flexmoe/shared';
import { cnnFeatureMap } from '@flexmoe/shared';

/** Parameters as plain number arrays (any float precision). */
export type RefParams = Record<string, ArrayLike<number>>;

/** Everything the forward pass computes, per sample and per assigned slot. */
export interface RefForward {
  /** Mean cross-entropy of the mixed logits. */
  loss: number;
  /** Switch-style auxiliary loss over the assigned experts (unweighted). */
  aux: number;
  /** `loss + auxWeight * aux`: what SGD minimises. */
  objective: number;
  /** Per-sample cross-entropy. */
  ce: number[];
  /** Per-sample predicted class (first maximum). */
  predictions: number[];
  /** Per-sample 0/1 routing mask over the k slots. */
  selected: number[][];
  usage: number[];
  correct: number[];
  lossSum: number[];
  /** Per slot: correct predictions of the expert's own logits on its routed samples. */
  ownCorrect: number[];
  /** Per slot: the expert's own cross-entropy summed over its routed samples. */
  ownLossSum: number[];
}

/** Runs the model on `n` samples (`x` NCHW flattened, `y` labels) for the `assigned` experts. */
export function referenceForward(
  cfg: MoEConfig,
  params: RefParams,
  assigned: readonly number[],
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
): RefForward {
  if (cfg.backbone === 'resnet')
    throw new Error('referenceForward covers the mlp and cnn backbones (resnet is checked against PyTorch and finite differences)');
  const feats = cfg.backbone === 'mlp' ? mlpFeatures(cfg, params, x, n) : cnnFeatures(cfg, params, x, n);
  const k = assigned.length;
  const r = effectiveTopR(cfg, k);
  const out: RefForward = {
    loss: 0,
    aux: 0,
    objective: 0,
    ce: [],
    predictions: [],
    selected: [],
    usage: new Array<number>(k).fill(0),
    correct: new Array<number>(k).fill(0),
    lossSum: new Array<number>(k).fill(0),
    ownCorrect: new Array<number>(k).fill(0),
    ownLossSum: new Array<number>(k).fill(0),
  };
  const meanProb = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const f = feats[i];
    const allLogits = dense(f, params['gate.weight'], params['gate.bias'], cfg.experts);
    const probs = softmax(assigned.map((e) => allLogits[e]));
    probs.forEach((p, j) => (meanProb[j] += p / n));
    const sel = topMask(probs, r);
    const norm = probs.reduce((s, p, j) => s + p * sel[j], 0);
    const z = new Array<number>(cfg.classes).fill(0);
    assigned.forEach((e, j) => {
      if (!sel[j]) return;
      const o = expertLogits(cfg, params, e, f);
      for (let c = 0; c < cfg.classes; c++) z[c] += (probs[j] / norm) * o[c];
      out.ownLossSum[j] += logSumExp(o) - o[y[i]];
      out.ownCorrect[j] += argmax(o) === y[i] ? 1 : 0;
    });
    const ce = logSumExp(z) - z[y[i]];
    const pred = argmax(z);
    out.ce.push(ce);
    out.predictions.push(pred);
    out.selected.push(sel);
    out.loss += ce / n;
    sel.forEach((s, j) => {
      out.usage[j] += s;
      out.correct[j] += s * (pred === y[i] ? 1 : 0);
      out.lossSum[j] += s * ce;
    });
  }
  out.aux = k * out.usage.reduce((s, u, j) => s + (u / (n * r)) * meanProb[j], 0);
  out.objective = out.loss + cfg.auxWeight * out.aux;
  return out;
}

function expertLogits(cfg: MoEConfig, params: RefParams, e: number, f: number[]): number[] {
  const p = `expert.${e}`;
  const h = dense(f, params[`${p}.fc1.weight`], params[`${p}.fc1.bias`], cfg.expertHidden).map(relu);
  return dense(h, params[`${p}.fc2.weight`], params[`${p}.fc2.bias`], cfg.classes);
}

function mlpFeatures(cfg: MoEConfig, params: RefParams, x: ArrayLike<number>, n: number): number[][] {
  const d = cfg.inputShape[0] * cfg.inputShape[1] * cfg.inputShape[2];
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const xi = Array.from({ length: d }, (_, j) => x[i * d + j]);
    out.push(dense(xi, params['backbone.fc.weight'], params['backbone.fc.bias'], cfg.featureDim).map(relu));
  }
  return out;
}

function cnnFeatures(cfg: MoEConfig, params: RefParams, x: ArrayLike<number>, n: number): number[][] {
  const [c, h, w] = cfg.inputShape;
  const [c1, c2] = cfg.convChannels;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const img = Array.from({ length: c * h * w }, (_, j) => x[i * c * h * w + j]);
    const a = pool2(convRelu(img, c, h, w, params['backbone.conv1.weight'], params['backbone.conv1.bias'], c1), c1, h, w);
    const [h1, w1] = [Math.floor(h / 2), Math.floor(w / 2)];
    const b = convRelu(a, c1, h1, w1, params['backbone.conv2.weight'], params['backbone.conv2.bias'], c2, 2);
    const [fh, fw] = cnnFeatureMap(cfg);
    if (b.length !== c2 * fh * fw) throw new Error('reference cnn: unexpected feature map size');
    out.push(dense(b, params['backbone.fc.weight'], params['backbone.fc.bias'], cfg.featureDim).map(relu));
  }
  return out;
}

/** 3x3 convolution, padding 1, then ReLU; CHW in, CHW out of ceil(h / stride) x ceil(w / stride). */
function convRelu(img: number[], cin: number, h: number, w: number, wt: ArrayLike<number>, bias: ArrayLike<number>, cout: number, stride = 1): number[] {
  const [oh, ow] = [Math.ceil(h / stride), Math.ceil(w / stride)];
  const out = new Array<number>(cout * oh * ow).fill(0);
  for (let o = 0; o < cout; o++) {
    for (let yy = 0; yy < oh; yy++) {
      for (let xx = 0; xx < ow; xx++) {
        let s = bias[o];
        for (let ci = 0; ci < cin; ci++) {
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = yy * stride + ky - 1;
              const ix = xx * stride + kx - 1;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              s += wt[((o * cin + ci) * 3 + ky) * 3 + kx] * img[(ci * h + iy) * w + ix];
            }
          }
        }
        out[(o * oh + yy) * ow + xx] = relu(s);
      }
    }
  }
  return out;
}

/** 2x2 max-pool, stride 2 (floor); CHW in and out. */
function pool2(img: number[], ch: number, h: number, w: number): number[] {
  const [oh, ow] = [Math.floor(h / 2), Math.floor(w / 2)];
  const out: number[] = [];
  for (let cc = 0; cc < ch; cc++) {
    for (let yy = 0; yy < oh; yy++) {
      for (let xx = 0; xx < ow; xx++) {
        const at = (dy: number, dx: number): number => img[(cc * h + 2 * yy + dy) * w + 2 * xx + dx];
        out.push(Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)));
      }
    }
  }
  return out;
}

/** `v @ W + b` with W stored `[in, out]`. */
function dense(v: ArrayLike<number>, wt: ArrayLike<number>, bias: ArrayLike<number>, outDim: number): number[] {
  const out = Array.from({ length: outDim }, (_, j) => bias[j]);
  for (let i = 0; i < v.length; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    for (let j = 0; j < outDim; j++) out[j] += vi * wt[i * outDim + j];
  }
  return out;
}

function relu(v: number): number {
  return v > 0 ? v : 0;
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / s);
}

function logSumExp(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, a) => s + Math.exp(a - m), 0));
}

/** First index of the maximum. */
function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** 0/1 mask of the r largest entries (ties to the lower index, as ONNX TopK does). */
function topMask(v: number[], r: number): number[] {
  const order = v.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const mask = new Array<number>(v.length).fill(0);
  for (let t = 0; t < r; t++) mask[order[t][1]] = 1;
  return mask;
}
