/**
 * Loads TensorFlow.js core with its WASM backend on one thread, plus tfjs's own gradient
 * definitions. tfjs-core 4.x ships those only as ES modules with extension-less relative imports,
 * which Node will not resolve; a resolve hook scoped to tfjs-core's own files adds the `.js`. The
 * gradient and kernel registries are process globals, so gradients registered through the ES build
 * serve the CommonJS engine the WASM backend uses.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { BenchBackendError } from '../bench-error';

type Tf = typeof tf;

const RESOLVE_HOOK = `
export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); }
  catch (err) {
    const fixable = err && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'ERR_UNSUPPORTED_DIR_IMPORT');
    const inTfjsCore = context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/');
    if (!fixable || !inTfjsCore || !specifier.startsWith('.') || specifier.endsWith('.js')) throw err;
    try { return await next(specifier + '.js', context); } catch { return next(specifier + '/index.js', context); }
  }
}`;

let loaded: Promise<Tf> | null = null;

/**
 * tfjs-core with the `wasm` backend active on a single thread (a fair comparison with our
 * one-intra-op-thread ONNX Runtime step) and gradients registered. Idempotent.
 */
export function loadTfjsWasm(): Promise<Tf> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<Tf> {
  register('data:text/javascript,' + encodeURIComponent(RESOLVE_HOOK));
  wasm.setThreadsCount(1);
  const gradients = pathToFileURL(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js')).href;
  // A real dynamic import (tsc would turn `import()` into `require()` under CommonJS output).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one way to emit import() from CommonJS
  const dynamicImport = new Function('u', 'return import(u)') as (u: string) => Promise<unknown>;
  await dynamicImport(gradients);
  if (!(await tf.setBackend('wasm'))) throw new BenchBackendError('tfjs wasm backend failed to initialise');
  await tf.ready();
  return tf;
}

/** Threads the tfjs WASM backend runs on (reported in the benchmark table). */
export function tfjsWasmThreads(): number {
  return wasm.getThreadsCount();
}
