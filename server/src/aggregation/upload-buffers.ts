/**
 * Reuse of upload tensor memory. Every accepted update's tensors live only until the round's
 * streaming aggregator has folded them in (a few milliseconds), yet each one used to be a fresh
 * ~0.4 MB allocation: at 1,000 clients that is ~450 MB of short-lived external memory per round,
 * which drives full garbage collections. The Submit path takes its tensor buffers from this pool
 * and the round engine gives them back after folding them in.
 *
 * Safety: only buffers this pool handed out and that are still out are taken back (anything
 * else, e.g. a client's own arrays in an in-process round, is ignored), each at most once, so a
 * buffer is never handed out while something may still read it. Rejected uploads are simply
 * never given back (the garbage collector takes them).
 *
 * Bound: at most 128 MiB kept free. A round's uploads arrive in a burst (hundreds in flight at
 * 1,000 clients), so a smaller pool is mostly empty when needed; the pool never holds more than
 * the largest burst it has seen, so small fleets keep little.
 */
import type { ParamMap } from '@flexmoe/shared/dist/src/model/params';

/** Free buffers by exact byte length, bounded in total bytes. */
export class TensorBufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private readonly out = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;

  /** @param maxFreeBytes most bytes kept for reuse; beyond it returned buffers are dropped. */
  constructor(private readonly maxFreeBytes = 128 * 2 ** 20) {}

  /** Bytes currently kept for reuse. */
  get pooledBytes(): number {
    return this.freeBytes;
  }

  /** Own, unpooled-by-Node memory of exactly `bytes` bytes (contents unspecified). */
  take(bytes: number): Buffer {
    let buffer = this.free.get(bytes)?.pop();
    if (buffer) this.freeBytes -= bytes;
    else buffer = Buffer.allocUnsafeSlow(bytes);
    this.out.add(buffer.buffer as ArrayBuffer);
    return buffer;
  }

  /** Gives back the memory of every tensor in `params` that came from this pool and is still out. */
  releaseParams(params: Readonly<ParamMap>): void {
    for (const name of Object.keys(params)) this.release(params[name]!);
  }

  private release(x: ArrayBufferView): void {
    const ab = x.buffer as ArrayBuffer;
    if (!this.out.has(ab)) return;
    this.out.delete(ab);
    if (this.freeBytes + ab.byteLength > this.maxFreeBytes) return;
    let list = this.free.get(ab.byteLength);
    if (!list) {
      list = [];
      this.free.set(ab.byteLength, list);
    }
    list.push(Buffer.from(ab));
    this.freeBytes += ab.byteLength;
  }
}

/** The coordinator process's pool for uploaded tensors (Submit takes, the round engine returns). */
export const uploadBuffers = new TensorBufferPool();
