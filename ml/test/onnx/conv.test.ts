/**
 * Conv, ConvTranspose-based and pooling gradients on float32 graphs (onnxruntime has no float64
 * kernels for them) against plain-TypeScript float64 reference implementations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/onnx/builder';
import { relativeError, seededRandom } from '../../src/onnx/gradcheck';
import { runModelOnce } from '../../src/onnx/runtime';
import type { Value } from '../../src/onnx/types';

type Dims4 = [number, number, number, number];
interface Geometry {
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
}

const outSize = (size: number, k: number, s: number, p0: number, p1: number) => Math.floor((size + p0 + p1 - k) / s) + 1;
const randomArray = (n: number, seed: number) => {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => Math.fround(r() * 2 - 1));
};

/** Reference conv (float64): y[n,m,i,j] = b[m] + sum x[n,c,i*s-p+u, j*s-p+v] w[m,c,u,v]. */
function convRef(x: Float64Array, xd: Dims4, w: Float64Array, wd: Dims4, b: Float64Array, geo: Geometry) {
  const [n, c, h, wid] = xd;
  const [m, , kh, kw] = wd;
  const oh = outSize(h, kh, geo.strides[0], geo.pads[0], geo.pads[2]);
  const ow = outSize(wid, kw, geo.strides[1], geo.pads[1], geo.pads[3]);
  const y = new Float64Array(n * m * oh * ow);
  for (let ni = 0; ni < n; ni++)
    for (let mi = 0; mi < m; mi++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = b[mi];
          for (let ci = 0; ci < c; ci++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const r = i * geo.strides[0] - geo.pads[0] + u;
                const q = j * geo.strides[1] - geo.pads[1] + v;
                if (r < 0 || r >= h || q < 0 || q >= wid) continue;
                acc += x[((ni * c + ci) * h + r) * wid + q] * w[((mi * c + ci) * kh + u) * kw + v];
              }
          y[((ni * m + mi) * oh + i) * ow + j] = acc;
        }
  return { y, dims: [n, m, oh, ow] as Dims4 };
}

/** Reference pooling (float64); max picks the first maximum in row-major window order. */
function poolRef(x: Float64Array, xd: Dims4, geo: Geometry, kind: 'max' | 'avg') {
  const [n, c, h, wid] = xd;
  const oh = outSize(h, geo.kernel[0], geo.strides[0], geo.pads[0], geo.pads[2]);
  const ow = outSize(wid, geo.kernel[1], geo.strides[1], geo.pads[1], geo.pads[3]);
  const y = new Float64Array(n * c * oh * ow);
  const arg = new Int32Array(y.length);
  for (let p = 0; p < n * c; p++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let best = -Infinity,
          at = -1,
          sum = 0;
        for (let u = 0; u < geo.kernel[0]; u++)
          for (let v = 0; v < geo.kernel[1]; v++) {
            const r = i * geo.strides[0] - geo.pads[0] + u;
            const q = j * geo.strides[1] - geo.pads[1] + v;
            if (r < 0 || r >= h || q < 0 || q >= wid) continue;
            const k = (p * h + r) * wid + q;
            sum += x[k];
            if (x[k] > best) [best, at] = [x[k], k];
          }
        const o = (p * oh + i) * ow + j;
        y[o] = kind === 'max' ? best : sum / (geo.kernel[0] * geo.kernel[1]);
        arg[o] = at;
      }
  return { y, arg, dims: [n, c, oh, ow] as Dims4 };
}

/** Central differences of sum(f(params) * r) on the float64 reference (exact for linear maps). */
function referenceGrad(f: () => Float64Array, param: Float64Array, r: Float64Array): Float64Array {
  const loss = () => f().reduce((acc, v, i) => acc + v * r[i], 0);
  const out = new Float64Array(param.length);
  for (let i = 0; i < param.length; i++) {
    const keep = param[i];
    param[i] = keep + 1e-4;
    const up = loss();
    param[i] = keep - 1e-4;
    const down = loss();
    param[i] = keep;
    out[i] = (up - down) / 2e-4;
  }
  return out;
}

/** Builds a float32 graph computing sum(op(params) * r) and returns its emitted gradients. */
async function onnxGrads(params: Record<string, { data: Float64Array; dims: number[] }>, r: Float64Array, op: (g: GraphBuilder, p: Value[]) => Value) {
  const g = new GraphBuilder({ dtype: 'float32' });
  const values = Object.entries(params).map(([name, p]) => g.param(name, p.dims));
  const y = op(g, values);
  const loss = g.reduceSum(g.mul(y, g.constant(r, y.shape as number[])));
  g.grad(loss, values).forEach((d, i) => g.output(d, `d.${values[i].name}`));
  g.output(y, 'y');
  const feeds = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, { data: Float32Array.from(p.data), dims: p.dims }]));
  return runModelOnce(g.build(), feeds);
}

const convCases: { name: string; xd: Dims4; wd: Dims4; geo: Geometry }[] = [
  { name: '3x3 stride 1 pad 1', xd: [2, 2, 5, 5], wd: [3, 2, 3, 3], geo: { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] } },
  { name: '3x3 stride 2 pad 1 (output_padding 1)', xd: [2, 1, 6, 7], wd: [2, 1, 3, 3], geo: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '2x3 stride (2,1) asymmetric pads', xd: [1, 2, 5, 4], wd: [2, 2, 2, 3], geo: { kernel: [2, 3], strides: [2, 1], pads: [0, 1, 1, 0] } },
  // Stride 1 takes dX as a Conv with the flipped kernel and pads k - 1 - p (here 0, 0, 1, 1).
  { name: '2x3 stride 1 asymmetric pads', xd: [2, 2, 4, 5], wd: [3, 2, 2, 3], geo: { kernel: [2, 3], strides: [1, 1], pads: [1, 2, 0, 1] } },
  { name: '1x1 no padding', xd: [2, 3, 3, 3], wd: [2, 3, 1, 1], geo: { kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0] } },
  // Strided weight gradient (a dilated Conv) where the windows miss the last row and column.
  { name: '1x1 stride 2 on an even size', xd: [2, 3, 6, 6], wd: [4, 3, 1, 1], geo: { kernel: [1, 1], strides: [2, 2], pads: [0, 0, 0, 0] } },
  { name: '3x3 stride 2 pad 1 on an even size', xd: [3, 2, 6, 6], wd: [2, 2, 3, 3], geo: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
];

for (const c of convCases) {
  test(`Conv ${c.name}: dX, dW, db match a float64 reference`, async () => {
    const x = randomArray(
      c.xd.reduce((a, b) => a * b),
      1,
    );
    const w = randomArray(
      c.wd.reduce((a, b) => a * b),
      2,
    );
    const b = randomArray(c.wd[0], 3);
    const ref = () => convRef(x, c.xd, w, c.wd, b, c.geo).y;
    const r = randomArray(ref().length, 4);
    const out = await onnxGrads({ x: { data: x, dims: c.xd }, w: { data: w, dims: c.wd }, b: { data: b, dims: [c.wd[0]] } }, r, (g, [xv, wv, bv]) =>
      g.conv(xv, wv, bv, { strides: c.geo.strides, pads: c.geo.pads }),
    );
    assert.ok(relativeError(out.y.data as Float32Array, ref()) < 1e-5, 'forward');
    for (const [name, p] of [
      ['x', x],
      ['w', w],
      ['b', b],
    ] as const) {
      const err = relativeError(out[`d.${name}`].data as Float32Array, referenceGrad(ref, p, r));
      assert.ok(err < 1e-5, `d${name} relative error ${err}`);
    }
  });
}

test('MaxPool gradient is exact on ties (zeros after ReLU) and conserves dY', async () => {
  const xd: Dims4 = [2, 2, 4, 6];
  const x = randomArray(96, 5).map((v) => (v < 0.2 ? 0 : v));
  const geo: Geometry = { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] };
  const ref = poolRef(x, xd, geo, 'max');
  const r = randomArray(ref.y.length, 6);
  const out = await onnxGrads({ x: { data: x, dims: xd } }, r, (g, [xv]) => g.maxPool(xv, { kernel: geo.kernel, strides: geo.strides }));
  const expected = new Float64Array(x.length);
  ref.arg.forEach((k, o) => (expected[k] += Math.fround(r[o])));
  assert.deepEqual(Array.from(out['d.x'].data as Float32Array), Array.from(Float32Array.from(expected)));
});

test('MaxPool 3x3 stride 2 pad 1 gradient matches the reference', async () => {
  const xd: Dims4 = [1, 2, 5, 5];
  const x = randomArray(50, 7);
  const geo: Geometry = { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] };
  const r = randomArray(poolRef(x, xd, geo, 'max').y.length, 8);
  const out = await onnxGrads({ x: { data: x, dims: xd } }, r, (g, [xv]) => g.maxPool(xv, geo));
  const err = relativeError(
    out['d.x'].data as Float32Array,
    referenceGrad(() => poolRef(x, xd, geo, 'max').y, x, r),
  );
  assert.ok(err < 1e-5, `relative error ${err}`);
});

for (const geo of [
  { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
  { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] },
  { kernel: [3, 2], strides: [2, 2], pads: [0, 0, 0, 0] },
] as Geometry[]) {
  test(`AveragePool ${geo.kernel.join('x')} stride ${geo.strides[0]} pad ${geo.pads[0]} gradient matches the reference`, async () => {
    const xd: Dims4 = [2, 2, 5, 5];
    const x = randomArray(100, 9);
    const ref = () => poolRef(x, xd, geo, 'avg').y;
    const r = randomArray(ref().length, 10);
    const out = await onnxGrads({ x: { data: x, dims: xd } }, r, (g, [xv]) => g.averagePool(xv, geo));
    assert.ok(relativeError(out.y.data as Float32Array, ref()) < 1e-5, 'forward');
    const err = relativeError(out['d.x'].data as Float32Array, referenceGrad(ref, x, r));
    assert.ok(err < 1e-5, `relative error ${err}`);
  });
}

test('a CNN step with a symbolic batch runs at two batch sizes with matching per-sample gradients', async () => {
  const g = new GraphBuilder({ dtype: 'float32' });
  const x = g.input('x', 'float', ['N', 1, 6, 6]);
  const y = g.input('y', 'int64', ['N']);
  const w = g.param('w', [2, 1, 3, 3]);
  const fc = g.param('fc', [8, 3]);
  const h = g.maxPool(g.relu(g.conv(x, w, null, { pads: [1, 1, 1, 1] })), { kernel: [2, 2], strides: [2, 2] });
  const feat = g.reshape(h, ['N', 18]);
  assert.deepEqual(feat.shape, ['N', 18]);
  const logits = g.matmul(g.slice(feat, [1], [0], [8]), fc);
  const loss = g.reduceSum(g.crossEntropyPerSample(logits, y));
  const [dw, dfc] = g.grad(loss, [w, fc]);
  g.output(dw, 'dw');
  g.output(dfc, 'dfc');
  const bytes = g.build();
  const xs = randomArray(72, 11);
  const params = {
    w: { data: Float32Array.from(randomArray(18, 12)), dims: [2, 1, 3, 3] },
    fc: { data: Float32Array.from(randomArray(24, 13)), dims: [8, 3] },
  };
  const both = await runModelOnce(bytes, {
    ...params,
    x: { data: Float32Array.from(xs), dims: [2, 1, 6, 6] },
    y: { data: BigInt64Array.from([1n, 2n]), dims: [2] },
  });
  const first = await runModelOnce(bytes, {
    ...params,
    x: { data: Float32Array.from(xs.slice(0, 36)), dims: [1, 1, 6, 6] },
    y: { data: BigInt64Array.from([1n]), dims: [1] },
  });
  const second = await runModelOnce(bytes, {
    ...params,
    x: { data: Float32Array.from(xs.slice(36)), dims: [1, 1, 6, 6] },
    y: { data: BigInt64Array.from([2n]), dims: [1] },
  });
  for (const k of ['dw', 'dfc']) {
    const sum = (first[k].data as Float32Array).map((v, i) => v + (second[k].data as Float32Array)[i]);
    assert.ok(relativeError(both[k].data as Float32Array, sum) < 1e-5, k);
  }
});

test('conv on a float64 graph (im2col lowering) equals the float64 reference', async () => {
  const c = convCases[1];
  const x = randomArray(
    c.xd.reduce((a, b) => a * b),
    14,
  );
  const w = randomArray(
    c.wd.reduce((a, b) => a * b),
    15,
  );
  const b = randomArray(c.wd[0], 16);
  const g = new GraphBuilder({ dtype: 'float64' });
  const y = g.conv(g.input('x', 'float', ['N', ...c.xd.slice(1)]), g.constant(w, c.wd), g.constant(b, [c.wd[0]]), { strides: c.geo.strides, pads: c.geo.pads });
  const ref = convRef(x, c.xd, w, c.wd, b, c.geo);
  assert.deepEqual(y.shape, ['N', ...ref.dims.slice(1)]);
  g.output(y, 'y');
  const out = await runModelOnce(g.build(), { x: { data: x, dims: c.xd } });
  assert.ok(relativeError(out.y.data as Float64Array, ref.y) < 1e-12);
});

test('inferred shapes equal the run-time ones for every value of the conv and pool gradient graphs', async () => {
  for (const c of convCases) {
    const g = new GraphBuilder({ dtype: 'float32' });
    const [x, w] = [g.param('x', c.xd), g.param('w', c.wd)];
    const y = g.averagePool(g.maxPool(g.conv(x, w, null, { strides: c.geo.strides, pads: c.geo.pads }), { kernel: [1, 1] }), { kernel: [1, 1] });
    g.grad(g.reduceSum(y), [x, w]);
    const values = g.nodes().flatMap((n) => n.outputs);
    values.forEach((v, i) => g.output(v, `v${i}`));
    const feed = (dims: Dims4, seed: number) => ({
      data: Float32Array.from(
        randomArray(
          dims.reduce((a, b) => a * b),
          seed,
        ),
      ),
      dims,
    });
    const result = await runModelOnce(g.build(), { x: feed(c.xd, 1), w: feed(c.wd, 2) });
    values.forEach((v, i) => assert.deepEqual(result[`v${i}`].dims, v.shape, `${c.name}: ${v.producer!.opType}`));
  }
});
