/**
 * Elementwise ops with numpy broadcasting, comparisons, Where, Cast and identities.
 * Gradients of broadcast operands are summed back to the operand's shape.
 */
import { ShapeError } from '@flexmoe/shared';
import type { GraphBuilder } from '../builder';
import { type GradRule, type OpSpec, registerOp } from '../registry';
import { broadcastShapes } from '../shape';
import type { Attrs, DType, Node, Value } from '../types';
import { dtypeIs, float, req, sameDtype } from './common';

function binary(op: string, outDtype?: DType): OpSpec['infer'] {
  return (inputs) => {
    const a = req(op, inputs, 0);
    const b = req(op, inputs, 1);
    const dtype = sameDtype(op, a, b);
    return [{ dtype: outDtype ?? dtype, shape: broadcastShapes(op, a.shape, b.shape) }];
  };
}

function unaryFloat(op: string): OpSpec['infer'] {
  return (inputs) => {
    const x = float(op, req(op, inputs, 0));
    return [{ dtype: x.dtype, shape: x.shape }];
  };
}

function unaryAny(op: string): OpSpec['infer'] {
  return (inputs) => {
    const x = req(op, inputs, 0);
    return [{ dtype: x.dtype, shape: x.shape }];
  };
}

/** Registers a float unary op whose gradient is `dy * f(x, y)`. */
function unary(op: string, factor: (g: GraphBuilder, x: Value, y: Value) => Value): void {
  const grad: GradRule = (g, n, [dy]) => [g.mul(dy!, factor(g, n.inputs[0]!, n.outputs[0]))];
  registerOp(op, { infer: unaryFloat(op), grad });
}

function io(n: Node): { a: Value; b: Value; y: Value } {
  return { a: n.inputs[0]!, b: n.inputs[1]!, y: n.outputs[0] };
}

registerOp('Add', {
  infer: binary('Add'),
  grad: (g, n, [dy]) => [g.sumToShape(dy!, io(n).a.shape), g.sumToShape(dy!, io(n).b.shape)],
});
registerOp('Sub', {
  infer: binary('Sub'),
  grad: (g, n, [dy]) => [g.sumToShape(dy!, io(n).a.shape), g.sumToShape(g.neg(dy!), io(n).b.shape)],
});
registerOp('Mul', {
  infer: binary('Mul'),
  grad: (g, n, [dy]) => {
    const { a, b } = io(n);
    return [a.isFloat ? g.sumToShape(g.mul(dy!, b), a.shape) : null, b.isFloat ? g.sumToShape(g.mul(dy!, a), b.shape) : null];
  },
});
registerOp('Div', {
  infer: binary('Div'),
  grad: (g, n, [dy]) => {
    const { a, b, y } = io(n);
    return [g.sumToShape(g.div(dy!, b), a.shape), g.sumToShape(g.neg(g.div(g.mul(dy!, y), b)), b.shape)];
  },
});
registerOp('Neg', { infer: unaryAny('Neg'), grad: (g, _n, [dy]) => [g.neg(dy!)] });
registerOp('Identity', { infer: unaryAny('Identity'), grad: (_g, _n, [dy]) => [dy] });
registerOp('StopGradient', { onnxType: 'Identity', infer: unaryAny('StopGradient'), grad: 'none' });

unary('Exp', (_g, _x, y) => y);
unary('Log', (g, x) => g.reciprocal(x));
unary('Sqrt', (g, _x, y) => g.div(0.5, y));
unary('Tanh', (g, _x, y) => g.sub(1, g.mul(y, y)));
unary('Sigmoid', (g, _x, y) => g.mul(y, g.sub(1, y)));
unary('Reciprocal', (g, _x, y) => g.neg(g.mul(y, y)));
unary('Abs', (g, x) => g.op1('Sign', [x]));
registerOp('Sign', { infer: unaryFloat('Sign'), grad: 'none' });
/**
 * dy where `mask` holds, else 0, as dy times the mask cast to 0/1: ONNX Runtime's Where
 * broadcasts element by element and took about twice as long as Cast and Mul on the cnn step's
 * [64, 16, 196] tensors. (Equal to Where for finite dy; a non-finite gradient fails training anyway.)
 */
function masked(g: GraphBuilder, mask: Value, dy: Value): Value {
  return g.mul(dy, g.cast(mask, dy.dtype));
}

registerOp('Relu', {
  infer: unaryFloat('Relu'),
  grad: (g, n, [dy]) => [masked(g, g.greater(n.inputs[0]!, 0), dy!)],
});

/** Elementwise Max/Min of two tensors; the gradient goes to the selected operand (a on ties). */
for (const op of ['Max', 'Min'] as const) {
  registerOp(op, {
    infer: binary(op),
    grad: (g, n, [dy]) => {
      const { a, b } = io(n);
      const pickA = op === 'Max' ? g.greaterOrEqual(a, b) : g.lessOrEqual(a, b);
      const toA = masked(g, pickA, dy!);
      // The rest of dy goes to b: dy - toA is exactly dy or exactly 0.
      return [g.sumToShape(toA, a.shape), g.sumToShape(g.sub(dy!, toA), b.shape)];
    },
  });
}

for (const op of ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual']) {
  registerOp(op, { infer: binary(op, 'bool'), grad: 'none' });
}
for (const op of ['And', 'Or']) {
  registerOp(op, {
    infer: (inputs) => {
      const [a, b] = [0, 1].map((i) => dtypeIs(op, req(op, inputs, i), 'bool'));
      return [{ dtype: 'bool', shape: broadcastShapes(op, a.shape, b.shape) }];
    },
    grad: 'none',
  });
}
registerOp('Not', {
  infer: (inputs) => [{ dtype: dtypeIs('Not', req('Not', inputs, 0), 'bool').dtype, shape: inputs[0]!.shape }],
  grad: 'none',
});

registerOp('Where', {
  infer: (inputs) => {
    const c = dtypeIs('Where', req('Where', inputs, 0), 'bool');
    const a = req('Where', inputs, 1);
    const b = req('Where', inputs, 2);
    const dtype = sameDtype('Where', a, b);
    return [{ dtype, shape: broadcastShapes('Where', c.shape, broadcastShapes('Where', a.shape, b.shape)) }];
  },
  diffInputs: [1, 2],
  grad: (g, n, [dy]) => {
    const [c, a, b] = n.inputs as Value[];
    return [null, g.sumToShape(g.where(c, dy!, 0), a.shape), g.sumToShape(g.where(c, 0, dy!), b.shape)];
  },
});

const CAST_TO: Record<number, DType> = { 1: 'float32', 11: 'float64', 7: 'int64', 6: 'int32', 9: 'bool' };
/** ONNX element-type codes accepted by Cast's `to` attribute, by dtype. */
export const CAST_CODE: Record<DType, number> = { float32: 1, float64: 11, int64: 7, int32: 6, bool: 9 };

registerOp('Cast', {
  infer: (inputs, attrs: Attrs) => {
    const x = req('Cast', inputs, 0);
    const to = attrs.to && attrs.to.kind === 'int' ? CAST_TO[attrs.to.value] : undefined;
    if (!to) throw new ShapeError(`Cast: unsupported target type ${JSON.stringify(attrs.to)}`);
    return [{ dtype: to, shape: x.shape }];
  },
  grad: (g, n, [dy]) => [n.inputs[0]!.isFloat && dy ? g.cast(dy, n.inputs[0]!.dtype) : null],
});

registerOp('Sum', {
  infer: (inputs) => {
    const vs = inputs.map((_, i) => req('Sum', inputs, i));
    const dtype = sameDtype('Sum', ...vs);
    return [{ dtype, shape: vs.map((v) => v.shape).reduce((s, t) => broadcastShapes('Sum', s, t)) }];
  },
  grad: (g, n, [dy]) => n.inputs.map((v) => g.sumToShape(dy!, v!.shape)),
});
