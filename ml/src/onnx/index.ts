/**
 * ONNX graph building and reverse-mode differentiation for training with onnxruntime-node.
 * The curated public surface; everything else in this folder is internal.
 */
export { GraphBuilder } from './builder';
export type { GraphOptions, GraphSignature, TensorInfo, DTypeSpec } from './core';
export type { Operand, GemmOptions } from './math';
export type { ScatterReduction } from './tensor';
export type { Conv2dOptions, Pool2dOptions, ConvTransposeOptions } from './conv';
export type { Window } from './ops/conv';
export { Value, attr, formatShape } from './types';
export type { DType, FloatDType, Dim, Shape, ValueKind, Attr, Attrs, ConstantData, Node } from './types';
export { registeredOps, opsWithGradient } from './registry';
export type { OutputSig } from './registry';
export { OPSET, IR_VERSION } from './serialize';
export { createSession, runGraph, runModelOnce, toOrtTensor } from './runtime';
export type { HostArray, HostTensor, SessionOptions } from './runtime';
export { checkGradients, relativeError, seededRandom } from './gradcheck';
export type { GradCheckCase, GradCheckResult } from './gradcheck';
