/**
 * Facts about this device, reported at join time (shown on the coordinator's status page).
 */
import os from 'node:os';
import type { DeviceFacts } from './link';

function onnxRuntimeVersion(): string {
  try {
    // Resolved at run time: the runtime is a dependency of the shared workspace.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file, read where it is installed
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Platform, architecture, CPUs, memory, runtime versions and hostname of this machine. */
export function deviceFacts(): DeviceFacts {
  return {
    platform: os.platform(),
    arch: os.arch(),
    cpus: os.cpus().length,
    totalMemoryBytes: os.totalmem(),
    runtime: `node ${process.version} onnxruntime-node ${onnxRuntimeVersion()}`,
    hostname: os.hostname(),
  };
}
