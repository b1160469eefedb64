/**
 * Indexing ops: Gather, GatherElements, GatherND, ScatterElements, ScatterND, TopK, ArgMax,
 * OneHot. Gradients scatter-add into zeros (opset-16 `reduction='add'`); index inputs never
 * receive gradients.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { registerOp } from '../registry';
import { normAxis, sameShape, shapeFail } from '../shape';
import type { Attrs, Dim, Value } from '../types';
import { dtypeIs, intAttr, knownInts, req, sameDtype, stringAttr } from './common';

function indexInput(op: string, v: Value): Value {
  if (v.dtype !== 'int64' && v.dtype !== 'int32') shapeFail(op, 'indices must be int64 or int32', [v]);
  return v;
}

registerOp('Gather', {
  infer: (inputs, attrs) => {
    const x = req('Gather', inputs, 0);
    const idx = indexInput('Gather', req('Gather', inputs, 1));
    const axis = normAxis('Gather', intAttr(attrs, 'axis', 0), x.rank);
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    // Gathering from a known shape tensor with constant indices stays known (permuted shapes).
    const known = x.known && idx.data && idx.rank === 1 ? idx.data.values.map((i) => x.known![i < 0 ? i + x.known!.length : i]) : undefined;
    return [{ dtype: x.dtype, shape, known }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => {
    const [x, idx] = n.inputs as Value[];
    const axis = normAxis('Gather', intAttr(n.attrs, 'axis', 0), x.rank);
    const r = idx.rank;
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
    // Move the gathered axis (and the index dims of dY) to the front, scatter-add, move back.
    const dPerm = [...range(axis, axis + r), ...range(0, axis), ...range(axis + r, dy!.rank)];
    const xPerm = [axis, ...range(0, axis), ...range(axis + 1, x.rank)];
    const d = axis === 0 ? dy! : g.transpose(dy!, dPerm);
    const zeros = g.zerosOfShape(g.gather(g.shapeOf(x), g.int64s(xPerm), 0), x.dtype);
    const scat = g.scatterND(zeros, g.unsqueeze(idx, [-1]), d, 'add');
    const back = [...range(1, axis + 1), 0, ...range(axis + 1, x.rank)];
    return [axis === 0 ? scat : g.transpose(scat, back), null];
  },
});

registerOp('GatherElements', {
  infer: (inputs, attrs) => {
    const x = req('GatherElements', inputs, 0);
    const idx = indexInput('GatherElements', req('GatherElements', inputs, 1));
    if (idx.rank !== x.rank) shapeFail('GatherElements', 'data and indices must have the same rank', [x, idx]);
    normAxis('GatherElements', intAttr(attrs, 'axis', 0), x.rank);
    return [{ dtype: x.dtype, shape: idx.shape }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => {
    const [x, idx] = n.inputs as Value[];
    return [g.scatterElements(g.zerosLike(x), idx, dy!, intAttr(n.attrs, 'axis', 0), 'add'), null];
  },
});

registerOp('GatherND', {
  infer: (inputs, attrs) => {
    const x = req('GatherND', inputs, 0);
    const idx = indexInput('GatherND', req('GatherND', inputs, 1));
    if (intAttr(attrs, 'batch_dims', 0) !== 0) shapeFail('GatherND', 'only batch_dims = 0 is supported');
    const k = idx.shape[idx.rank - 1];
    if (typeof k !== 'number' || k > x.rank) shapeFail('GatherND', 'last indices dim must be static and <= data rank', [x, idx]);
    return [{ dtype: x.dtype, shape: [...idx.shape.slice(0, -1), ...x.shape.slice(k)] }];
  },
  diffInputs: [0],
  grad: (g, n, [dy]) => {
    const [x, idx] = n.inputs as Value[];
    return [g.scatterND(g.zerosLike(x), idx, dy!, 'add'), null];
  },
});

function reduction(op: string, attrs: Attrs): string {
  const r = stringAttr(attrs, 'reduction', 'none');
  if (!['none', 'add', 'mul', 'max', 'min'].includes(r)) shapeFail(op, `unknown reduction ${r}`);
  return r;
}

registerOp('ScatterElements', {
  infer: (inputs, attrs) => {
    const [x, idx, upd] = [0, 1, 2].map((i) => req('ScatterElements', inputs, i));
    indexInput('ScatterElements', idx);
    sameDtype('ScatterElements', x, upd);
    if (!sameShape(idx.shape, upd.shape) || idx.rank !== x.rank) {
      shapeFail('ScatterElements', 'indices and updates must share a shape of the data rank', [x, idx, upd]);
    }
    normAxis('ScatterElements', intAttr(attrs, 'axis', 0), x.rank);
    reduction('ScatterElements', attrs);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  diffInputs: [0, 2],
  grad: (g, n, [dy]) => {
    const [, idx, upd] = n.inputs as Value[];
    const axis = intAttr(n.attrs, 'axis', 0);
    const r = stringAttr(n.attrs, 'reduction', 'none');
    if (r !== 'none' && r !== 'add') throw new InvalidArgumentError(`ScatterElements: no gradient rule for reduction ${r}`);
    const dData = r === 'add' ? dy! : g.scatterElements(dy!, idx, g.zerosLike(upd), axis, 'none');
    return [dData, null, g.gatherElements(dy!, idx, axis)];
  },
});

registerOp('ScatterND', {
  infer: (inputs, attrs) => {
    const [x, idx, upd] = [0, 1, 2].map((i) => req('ScatterND', inputs, i));
    indexInput('ScatterND', idx);
    sameDtype('ScatterND', x, upd);
    const k = idx.shape[idx.rank - 1];
    if (typeof k !== 'number' || k > x.rank) shapeFail('ScatterND', 'last indices dim must be static and <= data rank', [x, idx]);
    const expect = [...idx.shape.slice(0, -1), ...x.shape.slice(k)];
    if (!sameShape(expect, upd.shape)) shapeFail('ScatterND', `updates must have shape [${expect.join(',')}]`, [x, idx, upd]);
    reduction('ScatterND', attrs);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  diffInputs: [0, 2],
  grad: (g, n, [dy]) => {
    const [, idx, upd] = n.inputs as Value[];
    const r = stringAttr(n.attrs, 'reduction', 'none');
    if (r !== 'none' && r !== 'add') throw new InvalidArgumentError(`ScatterND: no gradient rule for reduction ${r}`);
    const dData = r === 'add' ? dy! : g.scatterND(dy!, idx, g.zerosLike(upd), 'none');
    return [dData, null, g.gatherND(dy!, idx)];
  },
});

registerOp('TopK', {
  infer: (inputs, attrs) => {
    const x = req('TopK', inputs, 0);
    const [k] = knownInts('TopK', req('TopK', inputs, 1), 'k');
    const axis = normAxis('TopK', intAttr(attrs, 'axis', -1), x.rank);
    const d = x.shape[axis];
    if (typeof d === 'number' && (k < 1 || k > d)) shapeFail('TopK', `k = ${k} is out of range for axis size ${d}`, [x]);
    const shape = x.shape.map((e, i) => (i === axis ? k : e));
    return [
      { dtype: x.dtype, shape },
      { dtype: 'int64', shape },
    ];
  },
  diffInputs: [0],
  grad: (g, n, [dv]) => {
    const x = n.inputs[0]!;
    if (!dv) return [null, null];
    return [g.scatterElements(g.zerosLike(x), n.outputs[1], dv, intAttr(n.attrs, 'axis', -1), 'add'), null];
  },
});

for (const op of ['ArgMax', 'ArgMin']) {
  registerOp(op, {
    infer: (inputs, attrs) => {
      const x = req(op, inputs, 0);
      const axis = normAxis(op, intAttr(attrs, 'axis', 0), x.rank);
      const keep = intAttr(attrs, 'keepdims', 1) === 1;
      const shape: Dim[] = [];
      x.shape.forEach((d, i) => (i !== axis ? shape.push(d) : keep ? shape.push(1) : undefined));
      return [{ dtype: 'int64', shape }];
    },
    grad: 'none',
  });
}

registerOp('OneHot', {
  infer: (inputs, attrs) => {
    const idx = indexInput('OneHot', req('OneHot', inputs, 0));
    const depth = dtypeIs('OneHot', req('OneHot', inputs, 1), 'int64');
    const values = req('OneHot', inputs, 2);
    if (!depth.data || depth.data.values.length !== 1) shapeFail('OneHot', 'depth must be a one-element constant', [depth]);
    const axis = normAxis('OneHot', intAttr(attrs, 'axis', -1), idx.rank + 1);
    const shape: Dim[] = [...idx.shape];
    shape.splice(axis, 0, depth.data.values[0]);
    return [{ dtype: values.dtype, shape }];
  },
  grad: 'none',
});
