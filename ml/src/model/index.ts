/**
 * The MoE model: configuration, parameter names and initialisation, graph emitters.
 */
export * from './layout';
export { buildTrainGraph, buildEvalGraph, buildInferenceModel, routingFeeds } from './graphs';
export { graphParamSpecs, packParams, unpackParams } from './packing';
export type { FloatArray } from './packing';
export type { TrainGraphOptions } from './graphs';
export { MASK_VALUE } from './forward';
export type { ParamValues } from './forward';
export { backboneGraph, backboneGraphs, registerBackbone } from './backbones';
export type { BackboneDefinition, BackboneGraph } from './backbones';
export { referenceForward } from './reference';
export type { RefForward, RefParams } from './reference';
