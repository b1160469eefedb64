/**
 * Reductions (axes as an input, opset 18) and the softmax family (opset-13 single-axis semantics).
 */
import type { GraphBuilder } from '../builder';
import { registerOp } from '../registry';
import { normAxes, normAxis } from '../shape';
import type { Attrs, Dim, Node, Value } from '../types';
import { float, intAttr, knownInts, req } from './common';

/** The axes a reduce node reduces (all when the axes input is omitted). */
export function reducedAxes(op: string, inputs: readonly (Value | null)[]): number[] {
  const x = req(op, inputs, 0);
  const axes = inputs[1] ? knownInts(op, inputs[1], 'axes') : x.shape.map((_, i) => i);
  return normAxes(op, axes, x.rank);
}

function reduceInfer(op: string) {
  return (inputs: readonly (Value | null)[], attrs: Attrs) => {
    const x = req(op, inputs, 0);
    const axes = reducedAxes(op, inputs);
    const keep = intAttr(attrs, 'keepdims', 1) === 1;
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.includes(i)) shape.push(d);
      else if (keep) shape.push(1);
    });
    return [{ dtype: x.dtype, shape }];
  };
}

/** dY brought back to the input's rank (re-inserting reduced axes) and broadcast over it. */
function spread(g: GraphBuilder, node: Node, dy: Value): Value {
  const x = node.inputs[0]!;
  const axes = reducedAxes(node.opType, node.inputs);
  const keep = intAttr(node.attrs, 'keepdims', 1) === 1;
  const kept = keep ? dy : g.unsqueeze(dy, axes);
  return g.expandLike(kept, x);
}

registerOp('ReduceSum', {
  infer: reduceInfer('ReduceSum'),
  diffInputs: [0],
  grad: (g, node, [dy]) => [spread(g, node, dy!), null],
});

registerOp('ReduceMean', {
  infer: reduceInfer('ReduceMean'),
  diffInputs: [0],
  grad: (g, node, [dy]) => {
    const x = node.inputs[0]!;
    const axes = reducedAxes('ReduceMean', node.inputs);
    const dims = axes.map((a) => x.shape[a]);
    const count = dims.every((d) => typeof d === 'number')
      ? g.scalar(
          (dims as number[]).reduce((p, q) => p * q, 1),
          x.dtype,
        )
      : g.div(g.cast(g.sizeOf(x), x.dtype), g.cast(g.sizeOf(node.outputs[0]), x.dtype));
    return [g.div(spread(g, node, dy!), count), null];
  },
});

registerOp('ReduceMax', { infer: reduceInfer('ReduceMax'), diffInputs: [0] });
registerOp('ReduceMin', { infer: reduceInfer('ReduceMin'), diffInputs: [0] });

function softmaxInfer(op: string) {
  return (inputs: readonly (Value | null)[], attrs: Attrs) => {
    const x = float(op, req(op, inputs, 0));
    normAxis(op, intAttr(attrs, 'axis', -1), x.rank);
    return [{ dtype: x.dtype, shape: x.shape }];
  };
}

registerOp('Softmax', {
  infer: softmaxInfer('Softmax'),
  grad: (g, node, [dy]) => {
    const y = node.outputs[0];
    const axis = intAttr(node.attrs, 'axis', -1);
    const dot = g.reduceSum(g.mul(dy!, y), [axis], true);
    return [g.mul(y, g.sub(dy!, dot))];
  },
});

registerOp('LogSoftmax', {
  infer: softmaxInfer('LogSoftmax'),
  grad: (g, node, [dy]) => {
    const y = node.outputs[0];
    const axis = intAttr(node.attrs, 'axis', -1);
    return [g.sub(dy!, g.mul(g.exp(y), g.reduceSum(dy!, [axis], true)))];
  },
});
