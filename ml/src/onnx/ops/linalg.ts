/**
 * MatMul (2-D and batched with broadcasting), Gemm and Transpose.
 */
import { registerOp } from '../registry';
import { broadcastShapes, shapeFail } from '../shape';
import { type Dim, type Value, attr } from '../types';
import { floatAttr, intAttr, intsAttr, req, sameDtype } from './common';

registerOp('MatMul', {
  infer: (inputs) => {
    const a = req('MatMul', inputs, 0);
    const b = req('MatMul', inputs, 1);
    const dtype = sameDtype('MatMul', a, b);
    if (a.rank < 2 || b.rank < 2) shapeFail('MatMul', 'operands must have rank >= 2', [a, b]);
    const [m, k1] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k1 !== k2) shapeFail('MatMul', `inner dimensions ${k1} and ${k2} differ`, [a, b]);
    const batch = broadcastShapes('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    return [{ dtype, shape: [...batch, m, n] }];
  },
  grad: (g, node, [dy]) => {
    const [a, b] = node.inputs as Value[];
    return [g.sumToShape(g.matmul(dy!, g.transposeLast2(b)), a.shape), g.sumToShape(g.matmul(g.transposeLast2(a), dy!), b.shape)];
  },
});

registerOp('Gemm', {
  infer: (inputs, attrs) => {
    const a = req('Gemm', inputs, 0);
    const b = req('Gemm', inputs, 1);
    const c = inputs[2] ?? null;
    const dtype = sameDtype('Gemm', a, b, ...(c ? [c] : []));
    if (a.rank !== 2 || b.rank !== 2) shapeFail('Gemm', 'A and B must be 2-D', [a, b]);
    const [m, k1] = intAttr(attrs, 'transA', 0) ? [a.shape[1], a.shape[0]] : a.shape;
    const [k2, n] = intAttr(attrs, 'transB', 0) ? [b.shape[1], b.shape[0]] : b.shape;
    if (k1 !== k2) shapeFail('Gemm', `inner dimensions ${k1} and ${k2} differ`, [a, b]);
    const out: Dim[] = [m, n];
    if (c && broadcastShapes('Gemm', out, c.shape).some((d, i) => d !== out[i])) {
      shapeFail('Gemm', 'C does not broadcast to the output', [a, b, c]);
    }
    return [{ dtype, shape: out }];
  },
  grad: (g, node, [dy]) => {
    const [a, b, c] = node.inputs as (Value | null)[];
    const tA = intAttr(node.attrs, 'transA', 0);
    const tB = intAttr(node.attrs, 'transB', 0);
    const alpha = floatAttr(node.attrs, 'alpha', 1);
    const beta = floatAttr(node.attrs, 'beta', 1);
    // op(A) = dY op(B)^T, expressed with Gemm's own transpose flags.
    const dA = tA ? g.gemm(b!, dy!, null, { transA: tB, transB: 1, alpha }) : g.gemm(dy!, b!, null, { transB: 1 - tB, alpha });
    const dB = tB ? g.gemm(dy!, a!, null, { transA: 1, transB: tA, alpha }) : g.gemm(a!, dy!, null, { transA: 1 - tA, alpha });
    const dC = c ? g.sumToShape(beta === 1 ? dy! : g.mul(dy!, beta), c.shape) : null;
    return [dA, dB, dC];
  },
});

registerOp('Transpose', {
  infer: (inputs, attrs) => {
    const x = req('Transpose', inputs, 0);
    const perm = intsAttr(attrs, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
    const sorted = [...perm].sort((p, q) => p - q);
    if (perm.length !== x.rank || sorted.some((p, i) => p !== i)) {
      shapeFail('Transpose', `perm [${perm.join(',')}] is not a permutation of rank ${x.rank}`, [x]);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  grad: (g, node, [dy]) => {
    const x = node.inputs[0]!;
    const perm = intsAttr(node.attrs, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [g.op1('Transpose', [dy!], { perm: attr.ints(inverse) })];
  },
});
