/**
 * The FlexMoE wire protocol as both sides use it: constants, the package loader, the tensor
 * codec, its errors, and the generated message types.
 */
export * from './constants';
export * from './loader';
export * from './errors';
export * from './tensor-codec';
export * from './types';
