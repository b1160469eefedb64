/**
 * The wire chunks of the global tensors, made once per round: every client of a round downloads
 * the same backbone and the same experts, so each tensor is chunked and CRC-checked once (on
 * first request) instead of once per client. The chunks are views of the parameters (no copy);
 * the cache is dropped when the parameters change.
 */
import type { ParamMap } from '@flexmoe/shared';
import { tensorToChunks, type TensorChunk, type TensorSpec } from '@flexmoe/proto';

/** Chunks per tensor name for one set of global parameters. */
export class DownloadChunkCache {
  private params: Readonly<ParamMap> | undefined;
  private readonly chunks = new Map<string, readonly TensorChunk[]>();

  /** The chunks of `specs` taken from `params`, in order (tensor after tensor). */
  chunksFor(params: Readonly<ParamMap>, specs: readonly TensorSpec[]): TensorChunk[] {
    if (this.params !== params) {
      this.params = params;
      this.chunks.clear();
    }
    const out: TensorChunk[] = [];
    for (const s of specs) {
      let cached = this.chunks.get(s.name);
      if (!cached) {
        cached = tensorToChunks({ ...s, data: params[s.name]! });
        this.chunks.set(s.name, cached);
      }
      out.push(...cached);
    }
    return out;
  }
}
