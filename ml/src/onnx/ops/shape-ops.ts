/**
 * Shape manipulation: Reshape, Flatten, Unsqueeze, Squeeze, Expand, Concat, Split, Slice, Pad, Shape,
 * Size, ConstantOfShape. Shape tensors must be known at build time (see `Value.known`).
 */
import type { GraphBuilder } from '../builder';
import { registerOp } from '../registry';
import { broadcastShapes, normAxes, normAxis, reshapeShape, sameShape, shapeFail } from '../shape';
import type { Dim, Value } from '../types';
import { intAttr, knownDims, knownInts, req, sameDtype } from './common';

/** Reshapes a gradient back to its input's shape (statically when the symbols allow it). */
function backToInput(g: GraphBuilder, x: Value, dy: Value): Value {
  if (sameShape(dy.shape, x.shape)) return dy;
  const moved = x.shape.filter((d, i) => typeof d === 'string' && dy.shape[i] !== d).length;
  return moved === 0 ? g.reshape(dy, x.shape) : g.reshapeLike(dy, x);
}

registerOp('Reshape', {
  infer: (inputs) => {
    const x = req('Reshape', inputs, 0);
    const target = knownDims('Reshape', req('Reshape', inputs, 1), 'shape');
    return [{ dtype: x.dtype, shape: reshapeShape('Reshape', x.shape, target) }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => [backToInput(g, n.inputs[0]!, dy!), null],
});

registerOp('Flatten', {
  infer: (inputs, attrs) => {
    const x = req('Flatten', inputs, 0);
    const axis = intAttr(attrs, 'axis', 1);
    const a = axis < 0 ? axis + x.rank : axis;
    if (a < 0 || a > x.rank) shapeFail('Flatten', `axis ${axis} out of range`, [x]);
    const outer = a === 0 ? [1] : reshapeShape('Flatten', x.shape.slice(0, a), [-1]);
    const inner = a === x.rank ? [1] : reshapeShape('Flatten', x.shape.slice(a), [-1]);
    return [{ dtype: x.dtype, shape: [...outer, ...inner] }];
  },
  grad: (g, n, [dy]) => [backToInput(g, n.inputs[0]!, dy!)],
});

registerOp('Unsqueeze', {
  infer: (inputs) => {
    const x = req('Unsqueeze', inputs, 0);
    const rank = x.rank + knownInts('Unsqueeze', req('Unsqueeze', inputs, 1), 'axes').length;
    const axes = normAxes('Unsqueeze', knownInts('Unsqueeze', inputs[1]!, 'axes'), rank);
    const rest = [...x.shape];
    const shape: Dim[] = [];
    for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : rest.shift()!);
    return [{ dtype: x.dtype, shape }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => [backToInput(g, n.inputs[0]!, dy!), null],
});

registerOp('Squeeze', {
  infer: (inputs) => {
    const x = req('Squeeze', inputs, 0);
    const axes = normAxes('Squeeze', knownInts('Squeeze', req('Squeeze', inputs, 1), 'axes'), x.rank);
    for (const a of axes) if (x.shape[a] !== 1) shapeFail('Squeeze', `axis ${a} has size ${x.shape[a]}, not 1`, [x]);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => [backToInput(g, n.inputs[0]!, dy!), null],
});

registerOp('Expand', {
  infer: (inputs) => {
    const x = req('Expand', inputs, 0);
    const target = knownDims('Expand', req('Expand', inputs, 1), 'shape');
    return [{ dtype: x.dtype, shape: broadcastShapes('Expand', x.shape, target) }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => [g.sumToShape(dy!, n.inputs[0]!.shape), null],
});

registerOp('Concat', {
  infer: (inputs, attrs) => {
    const xs = inputs.map((_, i) => req('Concat', inputs, i));
    const dtype = sameDtype('Concat', ...xs);
    const axis = normAxis('Concat', intAttr(attrs, 'axis', 0), xs[0].rank);
    let total = 0;
    for (const x of xs) {
      const d = x.shape[axis];
      if (x.rank !== xs[0].rank || x.shape.some((e, i) => i !== axis && e !== xs[0].shape[i])) {
        shapeFail('Concat', `shapes differ outside axis ${axis}`, xs);
      }
      if (typeof d !== 'number') shapeFail('Concat', `axis ${axis} must be static`, xs);
      total += d;
    }
    return [{ dtype, shape: xs[0].shape.map((d, i) => (i === axis ? total : d)) }];
  },
  grad: (g, n, [dy]) => {
    const axis = intAttr(n.attrs, 'axis', 0);
    let start = 0;
    return n.inputs.map((x) => {
      const size = x!.shape[normAxis('Concat', axis, x!.rank)] as number;
      start += size;
      return g.slice(dy!, [axis], [start - size], [start]);
    });
  },
});

registerOp('Split', {
  infer: (inputs, attrs) => {
    const x = req('Split', inputs, 0);
    const sizes = knownInts('Split', req('Split', inputs, 1), 'split');
    const axis = normAxis('Split', intAttr(attrs, 'axis', 0), x.rank);
    if (sizes.reduce((p, q) => p + q, 0) !== x.shape[axis] || sizes.some((n) => n < 1)) {
      shapeFail('Split', `sizes [${sizes.join(',')}] do not split axis ${axis}`, [x]);
    }
    return sizes.map((n) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? n : d)) }));
  },
  diffInputs: [0],
  // The pieces' gradients concatenated back (zeros for a piece that does not reach the loss).
  grad: (g, n, dys) => [
    g.concat(
      dys.map((d, i) => d ?? g.zerosLike(n.outputs[i])),
      intAttr(n.attrs, 'axis', 0),
    ),
    null,
  ],
});

/** Static slice parameters of a Slice node, normalised and clamped as ONNX does. */
export function sliceParams(inputs: readonly (Value | null)[]): { axes: number[]; starts: number[]; ends: number[]; steps: number[] } {
  const x = req('Slice', inputs, 0);
  const starts = knownInts('Slice', req('Slice', inputs, 1), 'starts');
  const ends = knownInts('Slice', req('Slice', inputs, 2), 'ends');
  const axesRaw = inputs[3] ? knownInts('Slice', inputs[3], 'axes') : starts.map((_, i) => i);
  const axes = axesRaw.map((a) => normAxis('Slice', a, x.rank));
  const steps = inputs[4] ? knownInts('Slice', inputs[4], 'steps') : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    shapeFail('Slice', 'starts, ends, axes and steps differ in length', [x]);
  }
  const clamped = axes.map((a, i) => {
    const d = x.shape[a];
    if (typeof d !== 'number') shapeFail('Slice', `sliced axis ${a} must be static`, [x]);
    if (steps[i] <= 0) shapeFail('Slice', 'only positive steps are supported', [x]);
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    return { s: norm(starts[i]), e: norm(ends[i]) };
  });
  return { axes, starts: clamped.map((c) => c.s), ends: clamped.map((c) => c.e), steps };
}

registerOp('Slice', {
  infer: (inputs) => {
    const x = req('Slice', inputs, 0);
    const p = sliceParams(inputs);
    const shape = [...x.shape];
    p.axes.forEach((a, i) => (shape[a] = Math.max(0, Math.ceil((p.ends[i] - p.starts[i]) / p.steps[i]))));
    return [{ dtype: x.dtype, shape }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => {
    const x = n.inputs[0]!;
    const p = sliceParams(n.inputs);
    let d = dy!;
    p.axes.forEach((a, i) => (d = unsliceAxis(g, d, a, p.starts[i], p.steps[i], x.shape[a] as number)));
    return [d, null, null, null, null];
  },
});

/**
 * Places a sliced axis back into zeros of its full length: interleaves step-1 zeros after every
 * element (Unsqueeze, Pad, Reshape), trims, then pads before the start and after the end.
 */
function unsliceAxis(g: GraphBuilder, d: Value, axis: number, start: number, step: number, full: number): Value {
  const zeros = (rank: number) => new Array<number>(rank).fill(0);
  const k = d.shape[axis] as number;
  let v = d;
  if (step > 1 && k > 0) {
    const after = zeros(d.rank + 1);
    after[axis + 1] = step - 1;
    const spread = g.pad(g.unsqueeze(v, [axis + 1]), zeros(d.rank + 1), after);
    v = g.reshape(
      spread,
      d.shape.map((dim, i) => (i === axis ? k * step : dim)),
    );
    const len = Math.min(k * step, full - start);
    if (len < k * step) v = g.slice(v, [axis], [0], [len]);
  }
  const before = zeros(d.rank);
  const after = zeros(d.rank);
  before[axis] = start;
  after[axis] = full - start - (v.shape[axis] as number);
  return before[axis] === 0 && after[axis] === 0 ? v : g.pad(v, before, after);
}

registerOp('Pad', {
  infer: (inputs) => {
    const x = req('Pad', inputs, 0);
    const pads = knownInts('Pad', req('Pad', inputs, 1), 'pads');
    if (pads.length !== 2 * x.rank) shapeFail('Pad', `pads needs ${2 * x.rank} entries`, [x]);
    const shape = x.shape.map((d, i) => {
      const extra = pads[i] + pads[i + x.rank];
      if (extra === 0) return d;
      if (typeof d !== 'number') return shapeFail('Pad', `cannot pad symbolic axis ${i}`, [x]);
      return d + extra;
    });
    return [{ dtype: x.dtype, shape }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => {
    const x = n.inputs[0]!;
    const pads = knownInts('Pad', n.inputs[1]!, 'pads');
    const axes = x.shape.map((_, i) => i).filter((i) => pads[i] !== 0 || pads[i + x.rank] !== 0);
    const starts = axes.map((i) => pads[i]);
    const ends = axes.map((i) => pads[i] + (x.shape[i] as number));
    return [axes.length === 0 ? dy! : g.slice(dy!, axes, starts, ends), null, null];
  },
});

registerOp('Shape', {
  infer: (inputs) => {
    const x = req('Shape', inputs, 0);
    return [{ dtype: 'int64', shape: [x.rank], known: x.shape }];
  },
  grad: 'none',
});
registerOp('Size', { infer: () => [{ dtype: 'int64', shape: [] }], grad: 'none' });

registerOp('ConstantOfShape', {
  infer: (inputs, attrs) => {
    const shape = knownDims('ConstantOfShape', req('ConstantOfShape', inputs, 0), 'shape');
    const v = attrs.value;
    const dtype = v && v.kind === 'tensor' ? v.value.dtype : 'float32';
    return [{ dtype, shape }];
  },
  grad: 'none',
});
