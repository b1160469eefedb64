/**
 * What every FlexMoE package shares: errors, logging, option parsing, process metrics, small
 * utilities, and the model's parameter layout (config, names, shapes, initialisation) in plain
 * TypeScript, so the coordinator handles parameters without loading the ML package.
 */
export * from './errors';
export * from './logging';
export * from './config';
export * from './process-metrics';
export * from './proc-memory';
export * from './http-listen';
export * from './util/atomic-write';
export * from './util/mulberry32';
export * from './util/random';
export * from './util/registry';
export * from './util/sleep';
export * from './util/plugins';
export * from './model-layout/config';
export * from './model-layout/params';
export { resnetSpecs, resnetBlocks } from './model-layout/resnet-layout';
export type { BlockShape } from './model-layout/resnet-layout';
export { backboneLayouts, backboneLayout } from './model-layout/backbones';
export type { BackboneLayout } from './model-layout/backbones';
export * from './util/clock';
export * from './recipes';
