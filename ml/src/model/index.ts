/**
 * The MoE model: configuration, parameter names and initialisation, graph emitters.
 */
export * from './layout';
export { buildTrainGraph, buildEvalGraph, buildInferenceModel, routingFeeds } from './graphs';
export { graphParamSpecs, packParams, unpackParams } from './packing';
export type { FloatArray } from './packing';
export type { TrainGraphOptions } from './graphs';
export { MASK_VALUE } from './forward';
export { referenceForward } from './reference';
export type { RefForward, RefParams } from './reference';
