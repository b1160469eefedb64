/** The parameter layout lives in @flexmoe/shared (the coordinator needs it without ONNX); the model re-exports it. */
export {
  backboneLayouts,
  backboneLayout,
  MODEL_DEFAULTS,
  defaultModelConfig,
  effectiveTopR,
  cnnFeatureMap,
  backboneSpecs,
  gateSpecs,
  expertSpecs,
  parameterSpecs,
  assignedSpecs,
  sizeOf,
  initParameters,
  selectBackbone,
  selectGate,
  selectExpert,
  selectAssigned,
  checkAssigned,
  resnetSpecs,
} from '@flexmoe/shared';
export type { BackboneKind, BackboneLayout, MoEConfig, ParamSpec, ParamMap } from '@flexmoe/shared';
