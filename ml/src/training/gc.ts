/**
 * Explicit full garbage collection for long-running, memory-budgeted processes (the client
 * daemon and its training worker). V8 exposes it only to a process started with `--expose-gc`
 * (on the command line or in NODE_OPTIONS, as the client image, the systemd unit and
 * `flexmoe fleet` do); flags changed at run time are unsupported by V8, so none are.
 */

/** Node flags of a memory-budgeted daemon: explicit collections and 1 MB semi-spaces. */
export const DAEMON_NODE_FLAGS: readonly string[] = Object.freeze(['--expose-gc', '--max-semi-space-size=1']);

/**
 * Runs one full (mark-compact) collection of the calling thread's heap, now, and returns true;
 * returns false (and leaves collection to V8) when the process was started without
 * `--expose-gc`. Costs a few milliseconds for heaps of the daemon's size.
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

/**
 * Runs a full collection and gives V8 `waitMs` to release the dead ArrayBuffers' memory: their
 * backing stores are freed by a concurrent sweeper after the collection returns, so memory read
 * right after `collectGarbage()` still counts them, and anything allocated meanwhile (a training
 * worker starting) would stack on top of them.
 */
export async function releaseGarbage(waitMs = 100): Promise<void> {
  // Twice: buffers whose owners die in the first collection are only freed by the second.
  for (let i = 0; i < 2; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** ArrayBuffer bytes the calling thread's heap holds (live or not yet collected). */
function arrayBufferBytes(): number {
  return process.memoryUsage().arrayBuffers;
}

/**
 * Collects when the thread's ArrayBuffer memory has grown more than `slackBytes` past the lowest
 * level seen since the previous collection. Tensor-heavy threads that allocate little else (a
 * training worker, a daemon between rounds) promote dead weight buffers to the old generation and
 * V8 would keep them resident for many rounds; calling `settle()` at idle points bounds that
 * garbage. (The level right after a collection is not a baseline: buffers are freed concurrently.)
 */
export class ArrayBufferBudget {
  private floor = Infinity;

  /** `slackBytes`: garbage tolerated before `settle()` collects. */
  constructor(private readonly slackBytes: number) {}

  /** Runs a full collection if over budget; returns whether it did. */
  settle(): boolean {
    const now = arrayBufferBytes();
    this.floor = Math.min(this.floor, now);
    if (now <= this.floor + this.slackBytes) return false;
    this.floor = Infinity;
    return collectGarbage();
  }
}
