/**
 * Preloaded (`node --require`) into the coordinator of the operations tests' fleet: it makes
 * the process behave like the server image, which ships without ONNX Runtime's native libraries
 * and without the Fashion-MNIST data. Loading either throws, so the live tests fail if the
 * coordinator ever starts to need them (then Dockerfile.server must keep them).
 */
import Module from 'node:module';

const BLOCKED = /^(onnxruntime-node|fashion-mnist)(\/|$)/;
const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = mod._load;
mod._load = function guardedLoad(this: unknown, request: string, ...rest: unknown[]): unknown {
  if (BLOCKED.test(request)) throw new Error(`'${request}' is not in the server image (see Dockerfile.server)`);
  return load.call(this, request, ...rest);
};
