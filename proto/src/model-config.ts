/**
 * The model configuration on the wire: JoinResponse.model (a ModelConfig message) since it was
 * added, JoinResponse.model_config_json before (deprecated, still sent and read for one protocol
 * version). The protocol client does not apply the model's rules: it hands over the fields in
 * MoEConfig's names, and defaultModelConfig (@flexmoe/shared) fills defaults and validates.
 */
import { BadReplyError } from './errors';
import type { JoinResponse__Output, ModelConfig } from './types';

/** A model configuration as it travels, in MoEConfig's field names; absent fields take defaultModelConfig's defaults. */
export interface WireModelConfig {
  backbone?: string;
  inputShape?: readonly number[];
  classes?: number;
  experts?: number;
  featureDim?: number;
  expertHidden?: number;
  topR?: number;
  auxWeight?: number;
  convChannels?: readonly number[];
  resnetWidths?: readonly number[];
  resnetGroups?: number;
}

/** The ModelConfig message of a complete configuration (the coordinator's side). */
export function modelConfigToWire(config: Required<WireModelConfig>): ModelConfig {
  return {
    backbone: config.backbone,
    inputShape: [...config.inputShape],
    classes: config.classes,
    experts: config.experts,
    featureDim: config.featureDim,
    expertHidden: config.expertHidden,
    topR: config.topR,
    auxWeight: config.auxWeight,
    convChannels: [...config.convChannels],
    resnetWidths: [...config.resnetWidths],
    resnetGroups: config.resnetGroups,
  };
}

/**
 * The model configuration of a Join reply: the typed message when the coordinator sent one, else
 * the deprecated JSON. Zero counts and empty lists count as not sent. BadReplyError when neither
 * is usable.
 */
export function modelConfigFromJoin(reply: Pick<JoinResponse__Output, 'model' | 'modelConfigJson'>): WireModelConfig {
  const m = reply.model;
  if (m) {
    const count = (v: number) => (v > 0 ? v : undefined);
    const list = (v: readonly number[]) => (v.length > 0 ? [...v] : undefined);
    return {
      backbone: m.backbone || undefined,
      inputShape: list(m.inputShape),
      classes: count(m.classes),
      experts: count(m.experts),
      featureDim: count(m.featureDim),
      expertHidden: count(m.expertHidden),
      topR: count(m.topR),
      auxWeight: m.auxWeight,
      convChannels: list(m.convChannels),
      resnetWidths: list(m.resnetWidths),
      resnetGroups: count(m.resnetGroups),
    };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the fallback for coordinators that predate `model`
    const parsed: unknown = JSON.parse(reply.modelConfigJson);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as WireModelConfig;
  } catch (err) {
    throw new BadReplyError(`Join: the coordinator sent no usable model config: ${(err as Error).message}`, { cause: err });
  }
}
