/**
 * The tensors a load generator's sessions downloaded, shared between them: every session of a
 * round receives the same bytes, so each still gets its own stream and checks every chunk's
 * CRC-32, but only the first one of a tensor copies and scans it. Keeps the latest `maxEntries`
 * tensors (a few rounds of any model; a tensor is a few hundred KB).
 */
import type { TensorData, TensorSpec, VerifiedTensorStore } from '@flexmoe/proto';

export class DownloadStore implements VerifiedTensorStore {
  private readonly entries = new Map<string, TensorData>();

  constructor(private readonly maxEntries = 4096) {}

  get(spec: TensorSpec, crc32: number): TensorData | undefined {
    return this.entries.get(key(spec, crc32));
  }

  put(spec: TensorSpec, crc32: number, data: TensorData): void {
    // Map iteration is in insertion order: the first key is the oldest tensor.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key(spec, crc32), data);
  }

  get size(): number {
    return this.entries.size;
  }
}

function key(spec: TensorSpec, crc32: number): string {
  return `${spec.name}|${spec.dtype}|${spec.shape.join(',')}|${crc32}`;
}
