/**
 * The FlexMoE wire protocol as both sides use it: constants, the package loader, the tensor
 * codec, errors and error reasons, the model configuration on the wire, the generated message
 * types, and the one typed protocol client.
 */
export * from './constants';
export * from './loader';
export * from './errors';
export * from './tensor-codec';
export * from './types';
export * from './error-details';
export * from './model-config';
export * from './local-optimizer';
export * from './client';
