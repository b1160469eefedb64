/**
 * Backbones by name, graph half: the emitter of each registered backbone's feature extractor
 * and its evaluation batch size. Its parameter layout is registered in @flexmoe/shared
 * (`backboneLayouts`), which the coordinator reads without loading this package.
 * `registerBackbone` adds a backbone to both; every graph (training, evaluation, inference export)
 * emits the backbone through `backboneGraph`. A registration lives in its process and thread:
 * other threads and processes (the Trainer's worker, client daemons) know it when they load the
 * same plugin file (`--plugin FILE`, see `loadPlugins` in @flexmoe/shared).
 */
import { backboneLayouts, ConfigError, NamedRegistry, type BackboneLayout, type MoEConfig } from '@flexmoe/shared';
import type { GraphBuilder, Value } from '../onnx';
import { emitCnn, emitMlp, emitResnet } from './backbone';
import type { ParamValues } from './forward';

/** A backbone's graph: the feature extractor psi. */
export interface BackboneGraph {
  /** The `model.backbone` value that selects it (its layout is registered under the same name). */
  readonly name: string;
  /** Emits the feature extractor on x [N, C, H, W] from the parameters of its layout; returns features [N, featureDim]. */
  emit(g: GraphBuilder, cfg: MoEConfig, x: Value, p: ParamValues): Value;
  /** Samples per evaluation call (smaller for backbones with large activations). */
  readonly evalBatch: number;
}

/** Both halves of a backbone. */
export type BackboneDefinition = BackboneLayout & BackboneGraph;

/** The registered backbone graphs. */
export const backboneGraphs = new NamedRegistry<BackboneGraph>('backbone');

const BUILT_IN: readonly BackboneGraph[] = [
  { name: 'mlp', emit: emitMlp, evalBatch: 1024 },
  { name: 'cnn', emit: emitCnn, evalBatch: 256 },
  { name: 'resnet', emit: emitResnet, evalBatch: 128 },
];
for (const graph of BUILT_IN) backboneGraphs.register(graph);

/** Registers a backbone's layout (in @flexmoe/shared) and graph; ConfigError when the name is taken. */
export function registerBackbone(definition: BackboneDefinition): void {
  const { name, summary, evalBatch } = definition;
  if (backboneGraphs.has(name)) throw new ConfigError(`backbone '${name}' is already registered`);
  const check = definition.check?.bind(definition);
  // The layout first: it checks the name, so a refused backbone leaves neither half registered.
  backboneLayouts.register({ name, summary, specs: (cfg) => definition.specs(cfg), ...(check && { check }) });
  backboneGraphs.register({ name, emit: (g, cfg, x, p) => definition.emit(g, cfg, x, p), evalBatch });
}

/** The graph of `cfg.backbone`; ConfigError listing the registered backbones otherwise. */
export function backboneGraph(cfg: Pick<MoEConfig, 'backbone'>): BackboneGraph {
  return backboneGraphs.get(cfg.backbone);
}
