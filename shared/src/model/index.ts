/**
 * The MoE model: configuration, parameter names and initialisation, graph emitters.
 */
export * from './config';
export * from './params';
export { buildTrainGraph, buildEvalGraph, buildInferenceModel, graphParamName, routingFeeds, slotSpecs } from './graphs';
export type { TrainGraphOptions } from './graphs';
export { MASK_VALUE } from './forward';
export { referenceForward } from './reference';
export type { RefForward, RefParams } from './reference';
